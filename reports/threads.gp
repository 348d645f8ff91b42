# Chart 4: aggregate throughput against the thread count, one panel per
# cache locking design present in the run (one panel when only one was
# measured: its title says which), one line per implementation, with the
# 95% interval of each point. Throughput is ops_per_sec, threads x 10^9 /
# mean ns per call: the estimator of the time charts, so the two rank the
# implementations alike. Dotted: the ideal linear scaling of each, its
# throughput at the fewest threads x threads / that count. Points that lie
# beyond the ideal line by more than the intervals (super-linear, nearly
# always a slow reference cell) are ringed in red (slflags, from vtbench).
# Hollow points: cells short of their precision. Linear y from 0, one range
# for every panel, so that the designs compare by eye.
# Extra variable: slflags (" CELL:IMPL " words of the ringed points).
if (!exists("npanels")) npanels = 1
W = 420 + 480 * npanels
H = 600
load common
# The panels share the width left of the key (about 330 pixels).
left = 90.0 / W
kx = 1 - 330.0 / W
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
# An interval of ns per call reaching 0 makes throughput unbounded above,
# which results.csv writes as a negative upper end: draw it to the top.
ops_hi(x) = column("ops_per_sec_ci_high") > 0 ? column("ops_per_sec_ci_high") / 1e6 : ytop * 2
# Implementations side by side around each thread count, so that their
# intervals do not hide one another.
tx(i) = column("threads") + (i - (ni + 1) / 2.0) * 0.025 * most
ringed(x) = strstrt(slflags, sprintf(" %d:%s ", int(column("cell_index")), strcol("impl"))) > 0
# One y range for every panel: up to the highest ideal or interval.
stats datafile using (in_any(0) ? column("threads") : NaN) nooutput
most = STATS_max
stats datafile using (in_any(0) && column("ops_per_sec_ci_high") > 0 ? column("ops_per_sec_ci_high") / 1e6 : NaN) nooutput
ytop = STATS_max
do for [k=1:ngroups * ni] {
    ytop = base[k] / 1e6 * most / tmin[k] > ytop ? base[k] / 1e6 * most / tmin[k] : ytop
}
# Counted as a sum: stats fails on a selection with no valid point.
stats datafile using (in_any(0) && !precise(0) ? 1 : 0) nooutput
nimprecise = STATS_sum
set multiplot title with_slice("Throughput versus threads (" . scenario . ")")
set xlabel "threads"
set ylabel "throughput (million calls per second, all threads; bars: 95% CI)"
set yrange [0:ytop * 1.05]
set xrange [0.5:most + 0.5]
# Whole threads only, while they fit.
if (most <= 16) {
    set xtics 1
}
set key off
set tmargin 5
set bmargin 4
pw = (kx - left) / npanels
do for [p=1:npanels] {
    set lmargin at screen left + (p - 1) * pw
    set rmargin at screen left + p * pw - 40.0 / W
    if (p == npanels) {
        set key at screen kx + 10.0 / W, screen 0.85 left top vertical Left reverse box \
            lc rgb "#c0c0c0" samplen 3
    }
    set title (word(ptitles, p) eq "-" ? "" : word(ptitles, p))
    g1 = word(pfirst, p) + 0
    g2 = word(plast, p) + 0
    plot for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) ? tx(i) : NaN):(column("ops_per_sec") / 1e6) \
         with lines lw 1.8 lc rgb impl_color(word(impls, i)) notitle, \
         for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) && precise(0) ? tx(i) : OFF):(column("ops_per_sec") / 1e6): \
               (column("ops_per_sec_ci_low") / 1e6):(ops_hi(0)) \
         with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) \
         pt impl_pt(word(impls, i)) notitle, \
         for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) && !precise(0) ? tx(i) : OFF):(column("ops_per_sec") / 1e6): \
               (column("ops_per_sec_ci_low") / 1e6):(ops_hi(0)) \
         with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) \
         pt impl_pt_open(word(impls, i)) notitle, \
         for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) ? tx(i) : NaN):(ideal(g, i)) \
         with lines lw 1.2 dt 3 lc rgb impl_color(word(impls, i)) notitle, \
         for [g=g1:g2] for [i=1:ni] datafile \
         using (sel(g, i) && ringed(0) ? tx(i) : OFF):(column("ops_per_sec") / 1e6) \
         with points pt 6 ps 3 lw 2 lc rgb "#e00000" notitle, \
         for [i=1:ni] keyentry with linespoints lw 1.8 lc rgb impl_color(word(impls, i)) \
         pt impl_pt(word(impls, i)) title word(impls, i), \
         keyentry with lines lw 1.2 dt 3 lc rgb "#606060" title "ideal: linear from fewest threads", \
         keyentry with points pt 6 ps 2 lw 2 lc rgb "#e00000" \
         title (strlen(slflags) > 1 ? "super-linear beyond the intervals" : ""), \
         keyentry with points pt 6 lc rgb "#606060" \
         title (nimprecise > 0 ? "hollow: precision not reached" : "")
    set key off
}
unset multiplot
