# The open-loop "hockey stick": p99 latency against offered load, one line
# per implementation, from results.csv of an open-loop sweep (e.g.
# scenarios/open-loop.ini). Solid lines are measured from each operation's
# intended start (p99_ns, coordinated omission corrected), dashed ones from
# its actual issue (p99_ns_uncorrected): the gap between them is the queueing
# a closed-loop benchmark would not have seen. Hollow points mark cells whose
# worker could not keep to the schedule (rate_reached = false); the lower
# panel shows how much of the offered load was achieved.
#
# Chart 8 of `vtbench report` (which passes term, out, datafile, impls and
# loads common.gp for the terminal and the implementations' colours), and
# usable standalone: it reads only the CSV, by column name, and skips
# closed-loop rows.
#   gnuplot -e 'csv="results/<run>/results.csv"; out="open-loop.svg"' reports/open-loop.gp
# Variables: csv (default results.csv), out (default open-loop.svg), impls
# (space-separated, default "alloc-task value-task pooled"), title.

if (exists("datafile")) csv = datafile
if (!exists("csv")) csv = "results.csv"
if (!exists("out")) out = "open-loop.svg"
if (!exists("impls")) impls = "alloc-task value-task pooled"
if (!exists("title")) title = "p99 latency vs offered load (open loop)"
if (!exists("term")) term = "svg"
W = 1200
H = 800
# gnuplot cannot `load` inside a bracketed block: load through an expression.
load (exists("common") ? common : "/dev/null")
if (!exists("common")) {
    set terminal svg size W,H dynamic font "Helvetica,13" background rgb "white"
    set output out
    impl_color(s) = s eq "alloc-task" ? "#d55e00" : s eq "value-task" ? "#0072b2" : \
                    s eq "pooled" ? "#009e73" : "#999999"
}
set termoption noenhanced
set datafile separator comma
set datafile columnheaders
set datafile missing ""

# One table per implementation ($rows1, $rows2, ...) of its open-loop rows:
# offered M ops/s, p99 us, uncorrected p99 us, achieved / offered, and 1
# when the rate was not reached. Filtering into tables, rather than plotting
# NaN for other rows, keeps the lines joined; `smooth unique` then orders
# them by offered load (a scenario should sweep only the load per
# implementation, or the other axes' values are averaged).
# ocells (":i:j:", from vtbench): the cells of the chart's slice, every
# other swept axis held at one value; standalone, every open-loop row.
in_slice(x) = !exists("ocells") || strstrt(ocells, sprintf(":%d:", int(column("cell_index")))) > 0
is_row(name) = (strcol("impl") eq name && strcol("load")[1:4] eq "open" && in_slice(0))
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

# The same colour per implementation as every other chart.
do for [i=1:words(impls)] {
    eval sprintf('set style line %d lc rgb "%s" lw 2 pt 7 ps 0.8', i, impl_color(word(impls, i)))
}

# The held axes and the build the figures are of (vtbench passes both).
if (exists("slice") && slice ne "") title = title . "  [" . slice . "]"
if (exists("build")) title = title . "\n" . "build: " . build
set multiplot title title
# Both panels share one x range and the same margins, so that they align;
# the legend sits right of them, never over the data.
set lmargin at screen 0.09
set rmargin at screen 0.68
stats $rows1 using 1 nooutput
xmax = STATS_max
do for [i=2:words(impls)] {
    eval sprintf('stats $rows%d using 1 nooutput', i)
    xmax = STATS_max > xmax ? STATS_max : xmax
}
set xrange [0:xmax * 1.05]

# Upper panel: p99 in microseconds, log scale; x is offered load in M ops/s.
set size 1,0.66
set origin 0,0.32
set tmargin 3
set ylabel "p99 latency (us)"
set logscale y
set format y "%g"
set grid xtics ytics mytics
set key at screen 0.70, screen 0.93 left top vertical Left reverse box lc rgb "#c0c0c0"
set xlabel ""
set format x ""
plot for [i=1:words(impls)] rows(i) using 1:2 smooth unique with linespoints ls i \
         title word(impls,i)." (from intended start)", \
     for [i=1:words(impls)] rows(i) using 1:3 smooth unique with lines ls i dt 2 lw 1 \
         title word(impls,i)." (from actual issue)", \
     for [i=1:words(impls)] rows(i) using 1:($5 > 0 ? $2 : NaN) with points ls i pt 6 \
         ps 1.8 notitle, \
     keyentry with points pt 6 ps 1.8 lc rgb "#606060" title "ringed: rate not reached"

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
