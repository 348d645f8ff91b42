# Chart 2: bytes and allocations per call against the hit ratio, side by
# side, one line per implementation (and per value of a second swept axis).
# Both are counted exactly (no interval). Linear y from 0, with a little
# room below 0 and above the largest value so that points on 0 stay seen.
# Extra variables: bytes_col (the results.csv column of bytes per call) and
# bytes_label (its axis label).
W = 1400
H = 580
load common
ni = words(impls)
set multiplot layout 1,2 title with_slice("Allocation per call versus hit ratio (" . scenario . ")")
set xrange [-0.04:1.04]
set xtics 0.2
set xlabel "hit ratio (share of calls served from the cache)"
set tmargin 5
set bmargin 4
set key off
stats datafile using (in_any(0) ? column(bytes_col) : NaN) nooutput
bmax = STATS_max > 0 ? STATS_max : 1
stats datafile using (in_any(0) ? column("allocs_per_op") : NaN) nooutput
amax = STATS_max > 0 ? STATS_max : 1

set lmargin at screen 0.07
set rmargin at screen 0.38
set yrange [-0.04 * bmax:1.08 * bmax]
set ylabel bytes_label
set title "bytes per call"
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column(bytes_col)) \
     with linespoints lw 1.6 ps 1.1 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) notitle

set lmargin at screen 0.46
set rmargin at screen 0.78
set yrange [-0.04 * amax:1.08 * amax]
set ylabel "allocations per call (library's own count)"
set title "allocations per call"
set key at screen 0.795, screen 0.85 left top vertical Left reverse box lc rgb "#c0c0c0" samplen 3
plot for [g=1:ngroups] for [i=1:ni] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column("allocs_per_op")) \
     with linespoints lw 1.6 ps 1.1 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     title series_title(g, i)
unset multiplot
