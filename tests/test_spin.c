/* SPDX-License-Identifier: MIT */
/* tests/test_spin.c — facet/spin.h: a waiter naps every FC_SPIN_TRIES tries, and takes the lock once its holder gave it back. */
#include "facet/spin.h"
#include "unit.h"

/* The nap stands for 1 ms asleep, in which the holder (of lower priority, on the waiter's CPU)
 * runs on: at the nap numbered release_at it gives the lock back. */
static volatile int lock;
static unsigned naps, release_at;

void fc_spin_nap(void)
{
    naps++;
    if (naps == release_at)
        fc_spin_unlock(&lock);
}

TEST(uncontended_no_nap)
{
    lock = 0, naps = 0, release_at = 0;
    fc_spin_lock(&lock);
    CHECK_EQ(lock, 1);
    CHECK_EQ(naps, 0);
    fc_spin_unlock(&lock);
    CHECK_EQ(lock, 0);
}

/* A holder that runs only while the waiter naps: without the nap the waiter would spin for ever. */
TEST(waiter_naps_until_the_holder_gives_it_back)
{
    for (release_at = 1; release_at <= 3; release_at++) {
        lock = 1, naps = 0;
        fc_spin_lock(&lock);
        CHECK_EQ(lock, 1);                       /* taken by the waiter now */
        CHECK_EQ(naps, release_at);              /* one nap per FC_SPIN_TRIES tries, none more */
    }
}

int main(void) { return unit_run(); }
