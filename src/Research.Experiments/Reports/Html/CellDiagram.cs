using System.Text;
using Research.Models.Cells;

namespace Research.Experiments.Reports.Html;

/// <summary>
/// A derived cell drawn as the DARTS paper draws its cells (Liu et al. 2019, Figures 4 and 5): the
/// two inputs c_{k−2} and c_{k−1} on the left, the intermediate nodes in columns by their depth,
/// every edge an arrow labelled by its op and coloured by it, and the concatenated nodes feeding
/// the output c_k. Hand-laid SVG: a cell is a small layered graph whose layers are known (a node's
/// depth is one more than its deepest input), so a general graph-layout engine (Graphviz, a
/// JavaScript one) would add a program or a bundle for what a few lines place; labels are moved
/// along their edge until they overlap no other label or node, and an edge that skips a column runs
/// in a lane of its own above or below the nodes.
/// </summary>
public static class CellDiagram
{
    private const double ColumnGap = 250, RowGap = 84, NodeW = 74, NodeH = 32, Margin = 20, TitleH = 28, LaneGap = 24;

    private sealed record Box(double X, double Y, double W, double H)
    {
        public bool Overlaps(Box o) => Math.Abs(X - o.X) * 2 < W + o.W && Math.Abs(Y - o.Y) * 2 < H + o.H;
    }

    /// <summary>A state's name as plotly.js or HTML shows it: c<sub>k−2</sub>, c<sub>k−1</sub>, node 0, ….</summary>
    public static string StateHtml(int state) => state switch
    {
        0 => "c<sub>k−2</sub>",
        1 => "c<sub>k−1</sub>",
        _ => $"node {(state - 2).ToString(CultureInfo.InvariantCulture)}",
    };

    /// <summary>An op's colour: its place among <paramref name="ops"/> (the search space's, when known) on plotly.js's colour cycle.</summary>
    public static string OpColor(string op, IReadOnlyList<string> ops)
    {
        int i = ops.Select((o, k) => (Op: o, Index: k)).FirstOrDefault(p => p.Op == op, (Op: "", Index: -1)).Index;
        // Not among them: a colour from the name, the same in every run (string.GetHashCode is seeded per process).
        return PlotlyJson.Color(i >= 0 ? i : op.Aggregate(0, (h, c) => (h * 31 + c) & 0x7fffffff));
    }

    public static string Svg(CellGenotype cell, string title, IReadOnlyList<string> ops)
    {
        int nodes = cell.Nodes, states = nodes + 2;
        var depth = new int[states];
        for (int n = 0; n < nodes; n++)
            depth[n + 2] = 1 + cell.Edges.Skip(n * CellGenotype.EdgesPerNode).Take(CellGenotype.EdgesPerNode).Max(e => depth[Math.Clamp(e.Input, 0, n + 1)]);
        int outCol = depth.Max() + 1;
        int Col(int state) => state < 0 ? outCol : depth[state];
        var columns = Enumerable.Range(0, outCol + 1).Select(c => c == outCol ? [-1] : Enumerable.Range(0, states).Where(s => depth[s] == c).ToList()).ToList();
        int tallest = columns.Max(c => c.Count);
        double body = Math.Max(tallest - 1, 1) * RowGap + NodeH;
        var pos = new Dictionary<int, (double X, double Y)>();
        for (int c = 0; c <= outCol; c++)
        {
            var col = columns[c];
            double top = NodeH / 2 + (Math.Max(tallest - 1, 1) - (col.Count - 1)) * RowGap / 2;
            for (int i = 0; i < col.Count; i++) pos[col[i]] = (Margin + NodeW / 2 + c * ColumnGap, top + i * RowGap);
        }

        // Edges: two per node (labelled by op), then the concatenation into c_k. An edge that skips a column
        // runs in a lane of its own above or below the nodes (on the side of its source), so it crosses no node.
        var edges = cell.Edges.Select((e, i) => (From: Math.Clamp(e.Input, 0, i / CellGenotype.EdgesPerNode + 1), To: i / CellGenotype.EdgesPerNode + 2, Op: (string?)e.Op))
            .Concat(cell.Concat.Where(c => c >= 2 && c < states).Select(c => (From: c, To: -1, Op: (string?)null))).ToList();
        var lanes = new Dictionary<int, (bool Above, int Index)>();
        int above = 0, below = 0;
        for (int i = 0; i < edges.Count; i++)
            if (Col(edges[i].To) - Col(edges[i].From) > 1)
                lanes[i] = pos[edges[i].From].Y <= body / 2 ? (true, above++) : (false, below++);
        double offset = TitleH + Margin + above * LaneGap;
        foreach (var k in pos.Keys.ToList()) pos[k] = (pos[k].X, pos[k].Y + offset);
        double LaneY((bool Above, int Index) lane) => lane.Above ? offset - LaneGap * (lane.Index + 1) + LaneGap / 2 : offset + body + LaneGap * lane.Index + LaneGap / 2;
        double height = offset + body + below * LaneGap + Margin;
        double width = Margin * 2 + outCol * ColumnGap + NodeW;

        var sb = new StringBuilder();
        string N(double v) => v.ToString("0.#", CultureInfo.InvariantCulture);
        sb.Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"cell\" width=\"{N(width)}\" height=\"{N(height)}\" viewBox=\"0 0 {N(width)} {N(height)}\" ")
          .Append("font-family=\"Helvetica, Arial, sans-serif\" font-size=\"12\" role=\"img\">");
        sb.Append($"<title>{SvgPlot.Escape(title)}: {SvgPlot.Escape(cell.ToString())}</title>");
        sb.Append("<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
          .Append("<path d=\"M 0 0 L 10 5 L 0 10 z\" fill=\"#555\"/></marker></defs>");
        sb.Append($"<text x=\"{N(width / 2)}\" y=\"{N(TitleH - 6)}\" text-anchor=\"middle\" font-size=\"15\" font-weight=\"bold\">{SvgPlot.Escape(title)}</text>");

        var placed = pos.Values.Select(p => new Box(p.X, p.Y, NodeW + 6, NodeH + 6)).ToList();
        var labels = new StringBuilder();
        for (int i = 0; i < edges.Count; i++)
        {
            var (from, to, op) = edges[i];
            var (fx, fy) = pos[from];
            var (tx, ty) = pos[to];
            double x1 = fx + NodeW / 2, x2 = tx - NodeW / 2;
            string color = op is null ? "#999" : OpColor(op, ops);
            string d;
            Func<double, (double X, double Y)> at;
            if (lanes.TryGetValue(i, out var lane))
            {
                double ly = LaneY(lane), r = 28;
                d = $"M {N(x1)} {N(fy)} C {N(x1 + r)} {N(fy)}, {N(x1 + r)} {N(ly)}, {N(x1 + 2 * r)} {N(ly)} L {N(x2 - 2 * r)} {N(ly)} C {N(x2 - r)} {N(ly)}, {N(x2 - r)} {N(ty)}, {N(x2)} {N(ty)}";
                at = t => (x1 + 2 * r + t * (x2 - x1 - 4 * r), ly);
            }
            else
            {
                double dx = (x2 - x1) / 2;
                d = $"M {N(x1)} {N(fy)} C {N(x1 + dx)} {N(fy)}, {N(x2 - dx)} {N(ty)}, {N(x2)} {N(ty)}";
                at = t =>
                {
                    double u = 1 - t;
                    return (u * u * u * x1 + 3 * u * u * t * (x1 + dx) + 3 * u * t * t * (x2 - dx) + t * t * t * x2, u * u * u * fy + 3 * u * u * t * fy + 3 * u * t * t * ty + t * t * t * ty);
                };
            }
            sb.Append($"<path class=\"edge\" d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"{(op is null ? "1.5" : "2")}\" marker-end=\"url(#arrow)\"");
            if (op is not null) sb.Append($" data-op=\"{SvgPlot.Escape(op)}\"");
            sb.Append("/>");
            if (op is null) continue;
            // The label: the free spot nearest the middle of its edge (else the middle).
            double w = 10 + 6.8 * op.Length, h = 16;
            var spot = new[] { 0.5, 0.42, 0.58, 0.34, 0.66, 0.26, 0.74, 0.18, 0.82 }.Select(at).Select(p => new Box(p.X, p.Y, w, h))
                .FirstOrDefault(b => !placed.Any(o => o.Overlaps(b))) ?? new Box(at(0.5).X, at(0.5).Y, w, h);
            placed.Add(spot);
            labels.Append($"<g class=\"edge-label\"><rect x=\"{N(spot.X - w / 2)}\" y=\"{N(spot.Y - h / 2)}\" width=\"{N(w)}\" height=\"{N(h)}\" rx=\"3\" fill=\"white\" ")
                  .Append($"fill-opacity=\"0.92\" stroke=\"{color}\" stroke-width=\"0.8\"/><text x=\"{N(spot.X)}\" y=\"{N(spot.Y + 4)}\" text-anchor=\"middle\" fill=\"#222\">")
                  .Append(SvgPlot.Escape(op)).Append("</text></g>");
        }
        sb.Append(labels);

        void Node(int state, string fill, string label)
        {
            var (x, y) = pos[state];
            sb.Append($"<g class=\"node\" data-state=\"{state}\"><rect x=\"{N(x - NodeW / 2)}\" y=\"{N(y - NodeH / 2)}\" width=\"{N(NodeW)}\" height=\"{N(NodeH)}\" rx=\"6\" ")
              .Append($"fill=\"{fill}\" stroke=\"#444\"/><text x=\"{N(x)}\" y=\"{N(y + 5)}\" text-anchor=\"middle\" font-size=\"14\">{label}</text></g>");
        }
        const string sub = "<tspan baseline-shift=\"sub\" font-size=\"10\">";
        Node(0, "#b7e4b0", $"c{sub}k−2</tspan>");
        Node(1, "#b7e4b0", $"c{sub}k−1</tspan>");
        for (int n = 0; n < nodes; n++) Node(n + 2, "#c6dbef", n.ToString(CultureInfo.InvariantCulture));
        Node(-1, "#fde49c", $"c{sub}k</tspan>");
        sb.Append("</svg>");
        return sb.ToString();
    }
}
