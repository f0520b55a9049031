// SPDX-License-Identifier: MIT
/* tests/linux/sleeper.c — says it sleeps, sleeps argv[1] milliseconds (default 2000), says it woke. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* write(2) directly: stdout is not a terminal, so stdio would hold the first line back. */
static void say(const char *s)
{
    write(1, s, strlen(s));
}

int main(int argc, char **argv)
{
    long ms = argc > 1 ? atol(argv[1]) : 2000;
    struct timespec t = { ms / 1000, (ms % 1000) * 1000000 };
    say("sleeper: sleeping\n");
    nanosleep(&t, NULL);
    say("sleeper: awake\n");
    return 0;
}
