n=0
while :; do
    n=$((n + 1))
    [ $n -eq 3 ] && continue
    [ $n -gt 6 ] && break
    echo "pass $n"
done
for f in *.txt; do
    printf '%s: ' "$f"
    wc -l < "$f"
done
