# Chart 4: aggregate throughput against the thread count, one panel per
# cache locking design, one line per implementation, and dotted the ideal
# linear scaling of each: its throughput at the fewest threads x threads /
# that count.
# Extra variable: logy (unused: throughput is drawn on a linear scale from 0
# so that the distance from the ideal line reads directly).
if (!exists("npanels")) npanels = 1
W = npanels > 1 ? 520 * npanels : 960
H = 600
load common
ni = words(impls)
# The throughput at the fewest threads of each (group, impl), from the CSV.
array base[ngroups * ni]
array tmin[ngroups * ni]
do for [g=1:ngroups] {
    do for [i=1:ni] {
        stats datafile using (sel(g, i) ? column("threads") : NaN) nooutput
        # stats forgets the STATS_ variables of the previous call: keep a copy.
        fewest = STATS_min
        tmin[(g - 1) * ni + i] = fewest
        stats datafile using (sel(g, i) && column("threads") == fewest ? column("ops_per_sec") : NaN) nooutput
        base[(g - 1) * ni + i] = STATS_max
    }
}
ideal(g, i) = base[(g - 1) * ni + i] / 1e6 * column("threads") / tmin[(g - 1) * ni + i]
# One y range for every panel, so that the locking designs compare by eye:
# up to the highest ideal or measured throughput.
stats datafile using (column("threads")) nooutput
most = STATS_max
stats datafile using (column("ops_per_sec") / 1e6) nooutput
ytop = STATS_max
do for [k=1:ngroups * ni] {
    ytop = base[k] / 1e6 * most / tmin[k] > ytop ? base[k] / 1e6 * most / tmin[k] : ytop
}
set multiplot layout 1,npanels title with_slice("Throughput versus threads (" . scenario . ")")
set xlabel "threads"
set ylabel "throughput (million calls per second, all threads)"
set yrange [0:ytop * 1.05]
set xrange [0:*]
# Whole threads only, while they fit.
if (most <= 16) {
    set xtics 1
}
set key top left
do for [p=1:npanels] {
    set title (word(ptitles, p) eq "-" ? "" : word(ptitles, p))
    g1 = word(pfirst, p) + 0
    g2 = word(plast, p) + 0
    plot for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) ? column("threads") : NaN):(column("ops_per_sec") / 1e6) \
         with linespoints lw 1.8 ps 1.0 lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
         title word(impls, i), \
         for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) ? column("threads") : NaN):(ideal(g, i)) \
         with lines lw 1.2 dt 3 lc rgb impl_color(word(impls, i)) notitle, \
         keyentry with lines lw 1.2 dt 3 lc rgb "#606060" title "ideal: linear from fewest threads"
}
unset multiplot
