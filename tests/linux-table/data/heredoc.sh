cat <<END
plain $a line
  indented
END
cat <<'END'
quoted $a stays
END
cat <<-END
	tab-stripped $a
	END
x=$(cat <<END
in a substitution
END
)
echo "$x"
