# Chart 7: megabytes allocated by 1,000,000 calls per implementation, the
# figure of the articles' table. total_alloc_bytes is per repetition of
# `ops` calls, so 1,000,000 calls allocate total_alloc_bytes / ops MB
# (MB = 10^6 bytes). One cluster of bars per cell.
# Extra variables: cats (cell_index of each cluster), catlabels (its value
# on the sweep's first axis), xaxis (that axis), bytes_kind (usable or
# requested bytes).
load common
nc = words(cats)
ni = words(impls)
bw = 0.8 / ni
catx(c, k) = k > nc ? NaN : (word(cats, k) + 0 == c ? k : catx(c, k + 1))
bar_x(i) = catx(int(column("cell_index")), 1) + (i - (ni + 1) / 2.0) * bw
mb(x) = column("ops") > 0 ? column("total_alloc_bytes") / column("ops") : NaN
set title with_slice("Allocated by 1,000,000 calls (" . scenario . ")")
set xlabel xaxis
set ylabel "MB per 1,000,000 calls (" . bytes_kind . "; MB = 10^6 bytes)"
set xrange [0.4:nc + 0.6]
set xtics ()
do for [k=1:nc] {
    set xtics add (word(catlabels, k) k)
}
set yrange [0:*]
set offsets 0, 0, graph 0.08, 0
set boxwidth bw
set style fill solid 0.85 border lc rgb "#303030"
set key outside top center horizontal
plot for [i=1:ni] datafile \
     using (strcol("impl") eq word(impls, i) ? bar_x(i) : NaN):(mb(0)) \
     with boxes lc rgb impl_color(word(impls, i)) title word(impls, i), \
     for [i=1:ni] datafile \
     using (strcol("impl") eq word(impls, i) ? bar_x(i) : NaN):(mb(0)):(sprintf("%.3g", mb(0))) \
     with labels offset 0,0.7 font ",9" notitle
