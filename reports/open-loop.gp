# The open-loop "hockey stick": p99 latency against offered load, one line
# per implementation, from results.csv of an open-loop sweep (e.g.
# scenarios/open-loop.ini). Solid lines are measured from each operation's
# intended start (p99_ns, coordinated omission corrected), dashed ones from
# its actual issue (p99_ns_uncorrected): the gap between them is the queueing
# a closed-loop benchmark would not have seen. Hollow points mark cells whose
# worker could not keep to the schedule (rate_reached = false); the lower
# panel shows how much of the offered load was achieved.
#
# Standalone: reads only the CSV, by column name, and skips closed-loop rows.
#   gnuplot -e 'csv="results/<run>/results.csv"; out="open-loop.svg"' reports/open-loop.gp
# Variables: csv (default results.csv), out (default open-loop.svg), impls
# (space-separated, default "alloc-task value-task pooled"), title.

if (!exists("csv")) csv = "results.csv"
if (!exists("out")) out = "open-loop.svg"
if (!exists("impls")) impls = "alloc-task value-task pooled"
if (!exists("title")) title = "p99 latency vs offered load (open loop)"

set terminal svg size 900,800 dynamic enhanced font "sans,11"
set output out
set datafile separator comma
set datafile columnheaders
set datafile missing ""

# One table per implementation ($rows1, $rows2, ...) of its open-loop rows:
# offered M ops/s, p99 us, uncorrected p99 us, achieved / offered, and 1
# when the rate was not reached. Filtering into tables, rather than plotting
# NaN for other rows, keeps the lines joined; `smooth unique` then orders
# them by offered load (a scenario should sweep only the load per
# implementation, or the other axes' values are averaged).
is_row(name) = (strcol("impl") eq name && strcol("load")[1:4] eq "open")
do for [i=1:words(impls)] {
    # Start each block with an undefined row, so that an implementation
    # with no rows leaves a block that draws nothing instead of no block.
    eval sprintf('set print $rows%d', i)
    print "NaN NaN NaN NaN 0"
    unset print
    eval sprintf('set table $rows%d append', i)
    plot csv using (column("intended_ops_per_sec")/1e6):(column("p99_ns")/1e3): \
                   (column("p99_ns_uncorrected")/1e3): \
                   (column("achieved_ops_per_sec")/column("intended_ops_per_sec")): \
                   (strcol("rate_reached") eq "false" ? 1 : 0) \
         with table if (is_row(word(impls,i)))
    unset table
}
rows(i) = sprintf('$rows%d', i)
# The tables are blank-separated and have no header row.
set datafile separator whitespace
set datafile nocolumnheaders

set style line 1 lc rgb "#d62728" lw 2 pt 7 ps 0.8
set style line 2 lc rgb "#1f77b4" lw 2 pt 7 ps 0.8
set style line 3 lc rgb "#2ca02c" lw 2 pt 7 ps 0.8
set style line 4 lc rgb "#9467bd" lw 2 pt 7 ps 0.8
set style line 5 lc rgb "#ff7f0e" lw 2 pt 7 ps 0.8

set multiplot layout 2,1 title title
set lmargin 12

# Upper panel: p99 in microseconds, log scale; x is offered load in M ops/s.
set size 1,0.66
set origin 0,0.32
set tmargin 3
set ylabel "p99 latency (us)"
set logscale y
set format y "%g"
set grid xtics ytics mytics
set key top left
set xlabel ""
set format x ""
plot for [i=1:words(impls)] rows(i) using 1:2 smooth unique with linespoints ls i \
         title word(impls,i)." (from intended start)", \
     for [i=1:words(impls)] rows(i) using 1:3 smooth unique with lines ls i dt 2 lw 1 \
         title word(impls,i)." (from actual issue)", \
     for [i=1:words(impls)] rows(i) using 1:($5 > 0 ? $2 : NaN) with points ls i pt 6 \
         ps 1.8 notitle

# Lower panel: achieved / intended; below 1 the generator fell behind.
set size 1,0.32
set origin 0,0
set tmargin 1
unset logscale y
set ylabel "achieved / offered"
set yrange [0:1.1]
set ytics 0.25
set format x "%g"
set xlabel "offered load (M ops/s, all threads)"
set key off
plot for [i=1:words(impls)] rows(i) using 1:4 smooth unique with linespoints ls i \
         title word(impls,i), \
     1 with lines lc rgb "#888888" dt 3 notitle

unset multiplot
