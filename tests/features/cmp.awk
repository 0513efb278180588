# Compare two text dumps of frames, one frame a line of numbers: the first
# file (FILE A) against the second (FILE B).  Lines that do not start with
# a number (a header) are skipped.  Prints "frames NA NB max M mean E" and
# exits 1 when the frame counts differ or max > tol (awk -v tol=...).
FNR == 1 { f++ }
$1 !~ /^[-+0-9.]/ { next }
f == 1 { na++; for (i = 1; i <= NF; i++) a[na, i] = $i; nf[na] = NF; next }
{
	nb++
	if (nb > na)
		next
	if (NF != nf[nb]) { printf "frame %d: %d values against %d\n", nb - 1, nf[nb], NF; bad = 1 }
	for (i = 1; i <= NF; i++) {
		d = a[nb, i] - $i
		if (d < 0) d = -d
		if (d > max) { max = d; where = sprintf("frame %d value %d", nb - 1, i - 1) }
		sum += d; n++
	}
}
END {
	printf "frames %d %d max %.3g mean %.3g%s\n", na, nb, max, n ? sum / n : 0, (max > 0 ? " at " where : "")
	if (na != nb || bad || max > tol) exit 1
}
