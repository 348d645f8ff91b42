# Chart 5: mean ns per call against the key distribution in emergent mode
# (the hit ratio follows from the skew), one line per implementation, with
# 95% CI error bars; each tick also shows the hit ratio that skew produced.
# Points of cells short of their precision are hollow. Log y (logy = 1
# always: every cell mixes hits and misses), from the decade below the
# smallest mean to the decade above the largest interval.
# Extra variables: cats (key_dist values, in sweep order, for matching),
# catticks and catlabels (the two lines of each tick: the value and the hit
# ratio it produced, '%' doubled as tick labels are formats).
load common
ni = words(impls)
nc = words(cats)
catx(s, k) = k > nc ? NaN : (word(cats, k) eq s ? k : catx(s, k + 1))
set title with_slice("Time per call versus key skew, emergent hit ratio (" . scenario . ")")
set xlabel "key distribution (and the hit ratio it produced)" offset 0,-1
set bmargin 5
set ylabel "time per call (ns, mean of rounds; bars: 95% CI)"
set xrange [0.5:nc + 0.5]
set xtics ()
do for [k=1:nc] {
    set xtics add (word(catticks, k) . "\n" . word(catlabels, k) k)
}
stats datafile using (in_any(0) ? column("ns_per_op") : NaN) nooutput
ylo = STATS_min
stats datafile using (in_any(0) ? column("ns_per_op_ci_high") : NaN) nooutput
yhi = STATS_max
# Counted as a sum: stats fails on a selection with no valid point.
stats datafile using (in_any(0) && !precise(0) ? 1 : 0) nooutput
nimprecise = STATS_sum
if (logy) {
    set logscale y
    set mytics 10
    set yrange [decade_below(ylo):decade_above(yhi)]
} else {
    set yrange [0:*]
}
lowbar(lo) = logy && lo <= 0 ? 1e-300 : lo
kx(i) = catx(strcol("key_dist"), 1) + (i - (ni + 1) / 2.0) * 0.06
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) ? kx(i) : NaN):(column("ns_per_op")) \
     with lines lw 1.6 dt group_dt(g) lc rgb impl_color(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && precise(0) ? kx(i) : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && !precise(0) ? kx(i) : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) \
     pt impl_pt_open(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] keyentry with linespoints lw 1.6 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) title series_title(g, i), \
     keyentry with points pt 6 lc rgb "#606060" \
     title (nimprecise > 0 ? "hollow: precision not reached" : "")
