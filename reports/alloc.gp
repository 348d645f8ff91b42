# Chart 2: bytes and allocations per call against the hit ratio, side by
# side, one line per implementation (and per value of a second swept axis).
# Extra variables: bytes_col (the results.csv column of bytes per call) and
# bytes_label (its axis label).
W = 1280
H = 560
load common
set multiplot layout 1,2 title with_slice("Allocation per call versus hit ratio (" . scenario . ")")
set xrange [-0.04:1.04]
set xtics 0.2
set xlabel "hit ratio (share of calls served from the cache)"
set key top right
set yrange [0:*]
set ylabel bytes_label
set title "bytes per call"
plot for [g=1:ngroups] for [i=1:words(impls)] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column(bytes_col)) \
     with linespoints lw 1.6 ps 1.1 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     title series_title(g, i)
set ylabel "allocations per call (library's own count)"
set title "allocations per call"
plot for [g=1:ngroups] for [i=1:words(impls)] datafile \
     using (sel(g, i) ? column("hit_ratio_target") : NaN):(column("allocs_per_op")) \
     with linespoints lw 1.6 ps 1.1 dt group_dt(g) \
     lc rgb impl_color(word(impls, i)) pt impl_pt(word(impls, i)) \
     title series_title(g, i)
unset multiplot
