# Loaded first by every chart template of `vtbench report` (reports/NAME.gp):
# the terminal, the one colour and point type of each implementation (the
# same in every chart), and the helpers that select a chart's rows.
#
# The templates read only the run's CSV files. vtbench decides which rows a
# chart shows and passes that with -e (see reports/charts.h):
#   term      'svg' or 'png'         out       output file
#   datafile  the run's results.csv (or the report's copy of a recovered run)
#   pctfile   the run's percentiles.csv, or '' when it has none
#   chartdata the table the report derived for this chart (NAME.csv), or ''
#   scenario  the scenario's name    build     the build the figures are of
#   logy      1: log y scale, 0: linear from 0; fixed per chart kind by
#             vtbench (charts.h), never by the data's spread
#   hasprec   1 when results.csv has precision_reached and repetitions_auto
#   impls     implementation names, one word each, in run order
#   ngroups   number of groups of cells; a group is one line per impl
#   gcells    per group, its cells as ":i:j:k:" (cell_index values)
#   gtitles   per group, what sets it apart ("threads=2"), or "-"
#   gdt       per group, its dash type (the rank of that value)
#   npanels, ptitles, pfirst, plast: panels, and the groups in each
#   slice     the axes held at one value ("threads=1"), or ""
# plus a few chart-specific variables documented in each template.
# The templates must print nothing: vtbench treats any output on stderr as
# a failed chart.

if (!exists("W")) W = 1100
if (!exists("H")) H = 600
if (term eq "svg") {
    set terminal svg size W,H dynamic font "Helvetica,13" background rgb "white"
} else {
    set terminal pngcairo size W,H font "Helvetica,11" background rgb "white"
}
set output out
# Names such as alloc-task and cache_lock are literal text, not markup.
set termoption noenhanced
set datafile separator ","
set datafile columnheaders
# Rows of other series evaluate to NaN: skip them without breaking the line.
set datafile missing NaN
set grid lc rgb "#e0e0e0" lt 1
set border lc rgb "#404040"
# Legends go below the plot, never over the data.
set key outside right top vertical box lc rgb "#c0c0c0" samplen 3

# One colour and one point type per implementation, everywhere (the
# palette is colour-blind safe: Okabe and Ito's vermilion, blue, green).
impl_color(s) = s eq "alloc-task" ? "#d55e00" : \
                s eq "value-task" ? "#0072b2" : \
                s eq "pooled"     ? "#009e73" : \
                s eq "floor"      ? "#000000" : "#999999"
impl_pt(s) = s eq "alloc-task" ? 7 : s eq "value-task" ? 5 : s eq "pooled" ? 9 : 13
# The hollow shape of the same point: a cell short of its precision.
impl_pt_open(s) = impl_pt(s) - 1
# Did this row's cell reach the precision it ran rounds for (repetitions =
# auto)? A cell of fixed rounds aimed at none. hasprec: the run has the
# columns (vtbench passes it; older runs do not).
if (!exists("hasprec")) hasprec = 0
precise(x) = !hasprec || strcol("repetitions_auto") ne "true" || \
             strcol("precision_reached") ne "false"

# Row selection: is this row's cell in group g, and is it implementation i?
in_group(g) = strstrt(word(gcells, g), sprintf(":%d:", int(column("cell_index")))) > 0
sel(g, i) = in_group(g) && strcol("impl") eq word(impls, i)
in_any(x) = sum [g=1:ngroups] (in_group(g) ? 1 : 0) > 0
# A layer that may select no row (the hollow points of precise cells)
# sends unselected rows off the x range instead of to NaN: gnuplot warns
# about, and vtbench then fails on, a plot with no valid point at all.
OFF = -1e6
# Legend text of implementation i in group g.
series_title(g, i) = word(gtitles, g) eq "-" ? word(impls, i) : word(impls, i) . ", " . word(gtitles, g)
# A chart title with the held axes, so that a slice is never silent, and
# the build the figures are of, since times depend on it.
with_slice(t) = (slice eq "" ? t : t . "  [" . slice . "]") . "\n" . build_line
build_line = exists("build") ? "build: " . build : ""
# A log axis from the decade at or below lo to the decade at or above hi:
# the range follows from where the values lie, aligned to whole decades.
decade_below(lo) = 10 ** floor(log10(lo))
decade_above(hi) = 10 ** ceil(log10(hi))
# Dash type of group g (a bare "(...)" after dt would read as a dash pattern).
group_dt(g) = word(gdt, g) + 0
