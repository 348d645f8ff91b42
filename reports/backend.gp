# Chart 9: simulated against real misses (backend = sim, redis, ...): mean
# ns per call with its 95% interval (left) and the p99 latency of all calls
# (right; one histogram of all rounds, no interval) against the hit ratio,
# one colour per implementation and one dash type per backend. Both log
# (logy = 1 always: hits and misses differ by orders of magnitude, and a
# real miss more so). Points of cells short of their precision are hollow.
# The hit ratios measured are evenly spaced categories (hcats, increasing):
# with real misses what matters lies at 0.99, 0.999 and 1, which a linear
# axis would draw on top of one another.
W = 1500
H = 620
load common
ni = words(impls)
stats datafile using (in_any(0) ? column("ns_per_op") : NaN) nooutput
nlo = STATS_min
stats datafile using (in_any(0) ? column("ns_per_op_ci_high") : NaN) nooutput
nhi = STATS_max
stats datafile using (in_any(0) && column("p99_ns") > 0 ? column("p99_ns") : NaN) nooutput
plo = STATS_min
phi = STATS_max
# Counted as a sum: stats fails on a selection with no valid point.
stats datafile using (in_any(0) && !precise(0) ? 1 : 0) nooutput
nimprecise = STATS_sum
lowbar(lo) = lo <= 0 ? 1e-300 : lo
nh = words(hcats)
hcat(h, k) = k > nh ? NaN : (abs(word(hcats, k) + 0 - h) < 1e-9 ? k : hcat(h, k + 1))
hx(i) = hcat(column("hit_ratio_target"), 1) + (i - (ni + 1) / 2.0) * 0.06
set multiplot title with_slice("Simulated versus real misses (" . scenario . ")")
set xlabel "hit ratio (the values measured, evenly spaced)"
set xrange [0.5:nh + 0.5]
set xtics ()
do for [k=1:nh] {
    set xtics add (word(hcats, k) k)
}
set logscale y
set mytics 10
set format y "%.0s%c"
set key off
set tmargin 5
set bmargin 4

set lmargin at screen 0.06
set rmargin at screen 0.37
set title "time per call (ns, mean of rounds; bars: 95% CI)"
set ylabel "ns per call"
set yrange [decade_below(nlo):decade_above(nhi)]
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) ? hx(i) : NaN):(column("ns_per_op")) \
     with lines lw 1.6 dt group_dt(g) lc rgb impl_color(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && precise(0) ? hx(i) : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     notitle, \
     for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && !precise(0) ? hx(i) : OFF):(column("ns_per_op")): \
           (lowbar(column("ns_per_op_ci_low"))):(column("ns_per_op_ci_high")) \
     with yerrorbars lw 1.2 ps 1.0 lc rgb impl_color(word(impls, i)) \
     pt impl_pt_open(word(impls, i)) notitle

set lmargin at screen 0.44
set rmargin at screen 0.75
set title "p99 latency of all calls (ns; no interval)"
set ylabel "p99 ns"
set yrange [decade_below(plo):decade_above(phi)]
set key at screen 0.765, screen 0.85 left top vertical Left reverse box lc rgb "#c0c0c0" samplen 3
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) && column("p99_ns") > 0 ? hx(i) : NaN):(column("p99_ns")) \
     with linespoints lw 1.6 ps 1.0 dt group_dt(g) lc rgb impl_color(word(impls, i)) \
     pt impl_pt(word(impls, i)) notitle, \
     for [g=1:ngroups] for [i=1:ni] keyentry with linespoints lw 1.6 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) title series_title(g, i), \
     keyentry with points pt 6 lc rgb "#606060" \
     title (nimprecise > 0 ? "hollow: precision not reached" : "")
unset multiplot
