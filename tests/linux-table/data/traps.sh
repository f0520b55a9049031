trap 'echo "got USR1"' USR1
trap 'echo "got USR2"; exit 5' USR2
kill -USR1 $$
echo between
kill -USR2 $$
echo never
