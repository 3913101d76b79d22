using System.Text;

namespace Research.Experiments.Reports;

/// <summary>
/// plot.svg, hand-written SVG in the manner of EfficientNet's Figure 1: the family's accuracy against
/// MACs (log scale) as a connected line with labelled points, baselines as separate markers, groups of
/// arms (a method's retrained winners) as their arms' mean with its interval, with
/// axes, ticks, grid lines, axis labels, a legend and a title. When nothing was trained, parameters
/// take the accuracy's place.
/// </summary>
public static class SvgPlot
{
    /// <param name="HalfWidth">the half-width of Y's interval, drawn as an error bar (0: none)</param>
    public sealed record Point(double X, double Y, string Label, double HalfWidth = 0)
    {
        public double Bar => double.IsFinite(HalfWidth) && HalfWidth > 0 ? HalfWidth : 0;
    }

    /// <param name="Marker">circle, square or triangle</param>
    public sealed record Series(string Name, IReadOnlyList<Point> Points, bool Connect, string Marker, string Color);

    private const double Width = 860, Height = 520, Left = 80, Top = 60, Right = 610, Bottom = 450;

    public static string Render(RunReport r)
    {
        bool acc = r.Rows.Any(x => x.Accuracy is not null);
        double? Y(ReportRow x) => acc ? x.Accuracy : x.Params / 1e6;
        Point[] Points(string kind, bool shortLabels) => r.Rows
            .Where(x => x.Kind == kind && x.Macs > 0 && Y(x) is not null)
            .OrderBy(x => x.Macs)
            .Select(x => new Point(x.Macs, Y(x)!.Value, shortLabels ? ShortLabel(x.Name) : x.Name, acc && x.Interval is { HasInterval: true } i ? i.HalfWidth : 0)).ToArray();
        var series = new List<Series>();
        var family = Points("member", shortLabels: true);
        if (family.Length > 0) series.Add(new Series(acc ? "family (compound scaling)" : "family", family, Connect: true, "circle", "#1f77b4"));
        var baselines = Points("baseline", shortLabels: false);
        if (baselines.Length > 0) series.Add(new Series("baselines", baselines, Connect: false, "square", "#d62728"));
        // A group (stages.report.groups) at its arms' mean MACs, with the interval over the arms' means.
        var groups = acc ? r.Groups.Where(g => g.Row.Accuracy is not null && g.Row.Macs > 0)
            .Select(g => new Point(g.Row.Macs, g.Row.Accuracy!.Value, g.Name, g.Row.Interval is { HasInterval: true } i ? i.HalfWidth : 0)).ToArray() : [];
        if (groups.Length > 0) series.Add(new Series("groups (mean of their arms)", groups, Connect: false, "triangle", "#2ca02c"));
        string title = acc ? r.DisplayTitle : r.Title ?? $"{r.Name}: parameters vs MACs";
        return Chart(title, "MACs (log scale)", acc ? "top-1 accuracy (%)" : "parameters (millions)", series);
    }

    /// <summary>Members are named &lt;base&gt;-phi&lt;φ&gt; (formula) or &lt;base&gt;-&lt;member&gt; (table): labelled φ1, b3, ...</summary>
    public static string ShortLabel(string name) =>
        (name.LastIndexOf('-') is var i and > 0 && i < name.Length - 1 ? name[(i + 1)..] : name) is var s && s.StartsWith("phi", StringComparison.Ordinal)
            ? "φ" + s[3..] : s;

    public static string Chart(string title, string xLabel, string yLabel, IReadOnlyList<Series> series)
    {
        var all = series.SelectMany(s => s.Points).Where(p => p.X > 0 && double.IsFinite(p.Y)).ToList();
        var sb = new StringBuilder();
        sb.AppendLine("<?xml version=\"1.0\" encoding=\"UTF-8\"?>");
        sb.AppendLine(Svg($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{Height}\" viewBox=\"0 0 {Width} {Height}\" font-family=\"Helvetica, Arial, sans-serif\">"));
        sb.AppendLine(Svg($"  <rect x=\"0\" y=\"0\" width=\"{Width}\" height=\"{Height}\" fill=\"white\"/>"));
        sb.AppendLine(Svg($"  <text x=\"{(Left + Right) / 2}\" y=\"32\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">{Escape(title)}</text>"));

        // Ranges: log10 for x, linear for y, each padded so no point sits on the frame.
        double lxMin = all.Count > 0 ? all.Min(p => Math.Log10(p.X)) : 6, lxMax = all.Count > 0 ? all.Max(p => Math.Log10(p.X)) : 9;
        double xPad = lxMax - lxMin < 1e-9 ? 0.25 : 0.08 * (lxMax - lxMin);
        double xLo = lxMin - xPad, xHi = lxMax + xPad;
        double yMin = all.Count > 0 ? all.Min(p => p.Y - p.Bar) : 0, yMax = all.Count > 0 ? all.Max(p => p.Y + p.Bar) : 100;
        double yPad = yMax - yMin < 1e-9 ? Math.Max(0.5, Math.Abs(yMax) * 0.05) : 0.08 * (yMax - yMin);
        double yLo = yMin - yPad, yHi = yMax + yPad;
        double Px(double x) => Left + (Math.Log10(x) - xLo) / (xHi - xLo) * (Right - Left);
        double Py(double y) => Bottom - (y - yLo) / (yHi - yLo) * (Bottom - Top);

        // Grid lines and ticks.
        sb.AppendLine("  <g stroke=\"#e3e3e3\" stroke-width=\"1\">");
        var xTicks = LogTicks(xLo, xHi);
        var yTicks = LinearTicks(yLo, yHi, out var yStep);
        foreach (var t in xTicks) sb.AppendLine(Svg($"    <line x1=\"{Px(t)}\" y1=\"{Top}\" x2=\"{Px(t)}\" y2=\"{Bottom}\"/>"));
        foreach (var t in yTicks) sb.AppendLine(Svg($"    <line x1=\"{Left}\" y1=\"{Py(t)}\" x2=\"{Right}\" y2=\"{Py(t)}\"/>"));
        sb.AppendLine("  </g>");
        sb.AppendLine(Svg($"  <rect x=\"{Left}\" y=\"{Top}\" width=\"{Right - Left}\" height=\"{Bottom - Top}\" fill=\"none\" stroke=\"black\" stroke-width=\"1\"/>"));
        sb.AppendLine("  <g font-size=\"11\" fill=\"#333\">");
        foreach (var t in xTicks)
        {
            sb.AppendLine(Svg($"    <line x1=\"{Px(t)}\" y1=\"{Bottom}\" x2=\"{Px(t)}\" y2=\"{Bottom + 5}\" stroke=\"black\"/>"));
            sb.AppendLine(Svg($"    <text x=\"{Px(t)}\" y=\"{Bottom + 19}\" text-anchor=\"middle\">{Escape(Human.Count(t))}</text>"));
        }
        string yFormat = yStep >= 1 ? "0" : "0." + new string('0', Math.Min(6, (int)Math.Ceiling(-Math.Log10(yStep))));
        foreach (var t in yTicks)
        {
            sb.AppendLine(Svg($"    <line x1=\"{Left - 5}\" y1=\"{Py(t)}\" x2=\"{Left}\" y2=\"{Py(t)}\" stroke=\"black\"/>"));
            sb.AppendLine(Svg($"    <text x=\"{Left - 8}\" y=\"{Py(t) + 4}\" text-anchor=\"end\">{Escape(t.ToString(yFormat, CultureInfo.InvariantCulture))}</text>"));
        }
        sb.AppendLine("  </g>");
        sb.AppendLine(Svg($"  <text x=\"{(Left + Right) / 2}\" y=\"{Bottom + 45}\" text-anchor=\"middle\" font-size=\"13\">{Escape(xLabel)}</text>"));
        sb.AppendLine(Svg($"  <text x=\"22\" y=\"{(Top + Bottom) / 2}\" text-anchor=\"middle\" font-size=\"13\" transform=\"rotate(-90 22 {(Top + Bottom) / 2})\">{Escape(yLabel)}</text>"));

        if (all.Count == 0)
            sb.AppendLine(Svg($"  <text x=\"{(Left + Right) / 2}\" y=\"{(Top + Bottom) / 2}\" text-anchor=\"middle\" font-size=\"14\" fill=\"#888\">no data</text>"));

        // Series: line, markers, labels.
        foreach (var s in series)
        {
            var pts = s.Points.Where(p => p.X > 0 && double.IsFinite(p.Y)).ToList();
            sb.AppendLine($"  <g fill=\"{Escape(s.Color)}\" stroke=\"{Escape(s.Color)}\">");
            if (s.Connect && pts.Count > 1)
                sb.AppendLine($"    <polyline fill=\"none\" stroke-width=\"2\" points=\"{string.Join(" ", pts.Select(p => Svg($"{Px(p.X)},{Py(p.Y)}")))}\"/>");
            foreach (var p in pts)
            {
                if (p.Bar > 0) // the interval: a vertical bar with caps
                    sb.AppendLine(Svg($"    <path class=\"interval\" fill=\"none\" stroke-width=\"1.5\" d=\"M{Px(p.X)},{Py(p.Y - p.Bar)}V{Py(p.Y + p.Bar)}M{Px(p.X) - 4},{Py(p.Y - p.Bar)}h8M{Px(p.X) - 4},{Py(p.Y + p.Bar)}h8\"/>"));
                sb.Append("    ").AppendLine(Marker(s.Marker, Px(p.X), Py(p.Y)));
                sb.AppendLine(Svg($"    <text x=\"{Px(p.X) + 7}\" y=\"{Py(p.Y) - 7}\" font-size=\"11\" stroke=\"none\">{Escape(p.Label)}</text>"));
            }
            sb.AppendLine("  </g>");
        }

        // Legend, right of the plot.
        double ly = Top + 10;
        sb.AppendLine("  <g font-size=\"12\">");
        foreach (var s in series)
        {
            double lx = Right + 20;
            if (s.Connect) sb.AppendLine(Svg($"    <line x1=\"{lx}\" y1=\"{ly}\" x2=\"{lx + 24}\" y2=\"{ly}\" stroke=\"{s.Color}\" stroke-width=\"2\"/>"));
            sb.AppendLine($"    <g fill=\"{Escape(s.Color)}\" stroke=\"{Escape(s.Color)}\">{Marker(s.Marker, lx + 12, ly)}</g>");
            sb.AppendLine(Svg($"    <text x=\"{lx + 32}\" y=\"{ly + 4}\">{Escape(s.Name)}</text>"));
            ly += 22;
        }
        sb.AppendLine("  </g>");
        sb.AppendLine("</svg>");
        return sb.ToString();
    }

    private static string Marker(string kind, double x, double y) => kind switch
    {
        "square" => Svg($"<rect x=\"{x - 4.5}\" y=\"{y - 4.5}\" width=\"9\" height=\"9\"/>"),
        "triangle" => Svg($"<polygon points=\"{x},{y - 5.5} {x - 5},{y + 4} {x + 5},{y + 4}\"/>"),
        _ => Svg($"<circle cx=\"{x}\" cy=\"{y}\" r=\"4.5\"/>"),
    };

    /// <summary>Tick values (not logs) at 1, 2, 5 × 10^k inside [10^lo, 10^hi]; denser or sparser to give 2 to 10 ticks.</summary>
    public static List<double> LogTicks(double lo, double hi)
    {
        List<double> With(int[] mantissas)
        {
            var list = new List<double>();
            for (int k = (int)Math.Floor(lo); k <= (int)Math.Ceiling(hi); k++)
                foreach (var m in mantissas)
                {
                    double v = m * Math.Pow(10, k);
                    if (Math.Log10(v) >= lo - 1e-12 && Math.Log10(v) <= hi + 1e-12) list.Add(v);
                }
            return list;
        }
        var ticks = With([1, 2, 5]);
        if (ticks.Count > 10) ticks = With([1]);
        if (ticks.Count < 2) ticks = With([1, 2, 3, 4, 5, 6, 7, 8, 9]);
        if (ticks.Count < 2) ticks = LinearTicks(Math.Pow(10, lo), Math.Pow(10, hi), out _); // a sliver of a decade: round linear steps
        return ticks.Distinct().ToList();
    }

    /// <summary>About five ticks at a 1, 2 or 5 × 10^k step.</summary>
    public static List<double> LinearTicks(double lo, double hi, out double step)
    {
        double raw = (hi - lo) / 5;
        double mag = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        double n = raw / mag;
        step = (n < 1.5 ? 1 : n < 3.5 ? 2 : n < 7.5 ? 5 : 10) * mag;
        var ticks = new List<double>();
        for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step)
            ticks.Add(Math.Round(t / step) * step);
        return ticks;
    }

    /// <summary>XML text and attribute escaping.</summary>
    public static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;").Replace("\"", "&quot;").Replace("'", "&apos;");

    private static string Svg(FormattableString s) => s.ToString(new SvgNumbers());

    /// <summary>Invariant culture with two decimals for doubles (coordinates).</summary>
    private sealed class SvgNumbers : IFormatProvider, ICustomFormatter
    {
        public object? GetFormat(Type? t) => t == typeof(ICustomFormatter) ? this : CultureInfo.InvariantCulture.GetFormat(t);

        public string Format(string? format, object? arg, IFormatProvider? provider) => arg switch
        {
            double d => d.ToString(format ?? "0.##", CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(format, CultureInfo.InvariantCulture),
            _ => arg?.ToString() ?? "",
        };
    }
}
