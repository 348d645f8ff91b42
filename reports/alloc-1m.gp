# Chart 7: megabytes allocated by 1,000,000 calls per implementation, the
# figure of the articles' table. total_alloc_bytes is per repetition of
# `ops` calls, so 1,000,000 calls allocate total_alloc_bytes / ops MB
# (MB = 10^6 bytes). One cluster of bars per cell; counted exactly, so no
# interval. Linear y from 0.
# On the bars the articles' figures are about (hit ratios 0.8 and 1, Task
# and ValueTask: alloc-task and value-task), markers show the articles'
# totals and the totals that follow from the primary sources' object sizes
# (claims.c holds both), as lines across the bar, on a white edge so that
# they show on any bar: black the articles', violet the primary.
# Extra variables: cats (cell_index of each cluster), catlabels (its value
# on the sweep's first axis), xaxis (that axis), bytes_kind (usable or
# requested bytes); mk, mi, mmb, msrc: per marker, its cluster (from 1),
# implementation (from 1), MB, and source (1 articles, 2 primary).
W = 1200
load common
nc = words(cats)
ni = words(impls)
bw = 0.8 / ni
catx(c, k) = k > nc ? NaN : (word(cats, k) + 0 == c ? k : catx(c, k + 1))
slot_x(k, i) = k + (i - (ni + 1) / 2.0) * bw
bar_x(i) = slot_x(catx(int(column("cell_index")), 1), i)
mb(x) = column("ops") > 0 ? column("total_alloc_bytes") / column("ops") : NaN
# The markers as a table: x, MB, source.
nm = words(mk)
# CSV like the data files, with two rows off the x range so that neither
# marker layer is ever empty.
set print $marks
print "x,mb,source"
print sprintf("%g,0,1", OFF)
print sprintf("%g,0,2", OFF)
do for [m=1:nm] {
    print sprintf("%.6g,%.6g,%d", slot_x(word(mk, m) + 0, word(mi, m) + 0), word(mmb, m) + 0, \
                  word(msrc, m) + 0)
}
unset print
stats datafile using (catx(int(column("cell_index")), 1) > 0 ? mb(0) : NaN) nooutput
ytop = STATS_max
stats $marks using 2 nooutput
ytop = nm > 0 && STATS_max > ytop ? STATS_max : ytop
set title with_slice("Allocated by 1,000,000 calls (" . scenario . ")")
set xlabel xaxis
set ylabel "MB per 1,000,000 calls (" . bytes_kind . "; MB = 10^6 bytes)"
set xrange [0.4:nc + 0.6]
set xtics ()
do for [k=1:nc] {
    set xtics add (word(catlabels, k) k)
}
set yrange [0:(ytop > 0 ? ytop * 1.12 : 1)]
set boxwidth bw
set style fill solid 0.85 border lc rgb "#303030"
plot for [i=1:ni] datafile \
     using (strcol("impl") eq word(impls, i) ? bar_x(i) : NaN):(mb(0)) \
     with boxes lc rgb impl_color(word(impls, i)) title word(impls, i), \
     for [i=1:ni] datafile \
     using (strcol("impl") eq word(impls, i) ? bar_x(i) : NaN):(mb(0)):(sprintf("%.3g", mb(0))) \
     with labels offset 0,0.7 font ",9" notitle, \
     $marks using ($1 - 0.6 * bw):2:(1.2 * bw):(0) with vectors nohead lw 7 \
     lc rgb "#ffffff" notitle, \
     $marks using ($3 == 1 ? $1 - 0.6 * bw : NaN):2:(1.2 * bw):(0) with vectors nohead lw 3 \
     lc rgb "#000000" title (nm > 0 ? "articles' figure" : ""), \
     $marks using ($3 == 2 ? $1 - 0.6 * bw : NaN):2:(1.2 * bw):(0) with vectors nohead lw 3 \
     lc rgb "#8e00b0" title (nm > 0 ? "from the primary sources' sizes" : "")
