# tests/linux-table/run.sh ROOT CASES — run by busybox sh, the same script on the host and
# under Facet (tools/linux-table). Each case of the file CASES ("name: command line") runs in
# a fresh copy of ROOT/data as its working directory, its stdin empty, under busybox timeout;
# what it wrote to stdout and stderr (with their lengths: any bytes, no newline needed) and
# its exit status come out as (each stream followed by a newline of the script's)
#   @@@ case NAME
#   @@@ stdout LENGTH
#   ...stdout...
#   @@@ stderr LENGTH
#   ...stderr...
#   @@@ status N
# ROOT is the tree the table was packed from: "" under Facet (the archive is the root).
root=$1
: > "$root/tmp/empty"                               # every case's stdin (the loop's is the table)
while IFS= read -r line; do
    case "$line" in '' | '#'*) continue ;; esac
    name=${line%%: *}
    cmd=${line#*: }
    rm -rf "$root/w"
    cp -a "$root/data" "$root/w"
    cd "$root/w" || exit 1
    printf '@@@ case %s\n' "$name"                 # first: a run cut short says where
    timeout 20 sh -c "$cmd" < "$root/tmp/empty" > "$root/tmp/out" 2> "$root/tmp/err"
    st=$?
    cd /
    for s in out err; do
        printf '@@@ std%s %s\n' $s "$(wc -c < "$root/tmp/$s")"
        cat "$root/tmp/$s"
        echo
    done
    printf '@@@ status %s\n' "$st"
done < "$2"
