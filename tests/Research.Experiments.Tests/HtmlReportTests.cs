using System.Xml;
using Research.Experiments.Reports.Html;
using Research.Models.Cells;

namespace Research.Experiments.Tests;

public class HtmlReportTests
{
    [Fact]
    public void ACsvCutShortKeepsItsWholeRowsAndSaysWhatWasLeftOut()
    {
        var whole = TableFile.Parse("t.csv", "epoch,loss,genotype\n1,0.5,\"a@0 b@1 ; concat 2,3\"\n2,0.4,x\n");
        Assert.Null(whole.Problem);
        Assert.Equal(2, whole.Rows.Count);
        Assert.Equal("a@0 b@1 ; concat 2,3", whole.Rows[0]["genotype"]);
        Assert.Equal([0.5, 0.4], whole.Numbers("loss").Select(v => v!.Value));

        var cut = TableFile.Parse("t.csv", "epoch,loss,genotype\n1,0.5,x\n2,0.");
        Assert.Single(cut.Rows);
        Assert.Contains("the last line is incomplete", cut.Problem);

        var shortRow = TableFile.Parse("t.csv", "epoch,loss,genotype\n1,0.5\n2,0.4,x\n");
        Assert.Equal(["2"], shortRow.Rows.Select(r => r["epoch"]));
        Assert.Contains("row 2 has 2 of 3 fields", shortRow.Problem);

        Assert.Contains("empty", TableFile.Parse("t.csv", "").Problem);
        Assert.Null(TableFile.Read(Path.Combine(Path.GetTempPath(), "no-such-file.csv")));
    }

    [Fact]
    public void TheOneLineGenotypeOfAnEpochReadsBack()
    {
        const string text = "normal: mbconv_k3_e2@0 skip_connect@1 | max_pool_3x3@2 mbconv_k3_e2@0 ; concat 2,3 // reduce: max_pool_3x3@0 max_pool_3x3@1 | skip_connect@2 max_pool_3x3@1 ; concat 2,3";
        var (normal, reduce) = GenotypeText.TryParse(text)!.Value;
        Assert.Equal(text, $"normal: {normal} // reduce: {reduce}"); // Genotype.ToString's form, both ways
        Assert.Null(GenotypeText.TryParse("normal: a@0 ; concat 2"));
        Assert.Null(GenotypeText.TryParse("not a genotype"));
    }

    [Fact]
    public void ACellIsDrawnWithItsNodesAndLabelledEdges()
    {
        var (normal, _) = GenotypeText.TryParse("normal: sep<3>@0 skip@1 | pool@2 sep<3>@1 | skip@3 pool@0 ; concat 2,3,4 // reduce: a@0 a@1 ; concat 2")!.Value;
        var svg = new XmlDocument();
        svg.LoadXml(CellDiagram.Svg(normal, "normal cell & co", ["sep<3>", "skip", "pool"]));
        var ns = new XmlNamespaceManager(svg.NameTable);
        ns.AddNamespace("s", "http://www.w3.org/2000/svg");
        Assert.Equal(6, svg.SelectNodes("//s:g[@class='node']", ns)!.Count);                 // c_{k-2}, c_{k-1}, 0, 1, 2, c_k
        Assert.Equal(6, svg.SelectNodes("//s:path[@class='edge' and @data-op]", ns)!.Count);  // two per node
        Assert.Equal(3, svg.SelectNodes("//s:path[@class='edge' and not(@data-op)]", ns)!.Count); // the concatenation
        var labels = svg.SelectNodes("//s:g[@class='edge-label']/s:text", ns)!.Cast<XmlNode>().Select(n => n.InnerText).ToList();
        Assert.Equal(["sep<3>", "skip", "pool", "sep<3>", "skip", "pool"], labels);
        Assert.Contains("normal cell & co", svg.InnerText);
        // Node 1 reads node 0, node 2 reads node 1: three columns of nodes after the inputs.
        var x = svg.SelectNodes("//s:g[@class='node']/s:rect", ns)!.Cast<XmlElement>().Select(r => double.Parse(r.GetAttribute("x"), System.Globalization.CultureInfo.InvariantCulture)).Distinct().Count();
        Assert.Equal(5, x);
    }

    [Fact]
    public void SeedsOfAMemberBecomeAMeanWithItsSpread()
    {
        var table = TableFile.Parse("family.csv", "kind,name,seed,params,macs,test_top1\nmember,m-phi0,1,10,100,70\nmember,m-phi0,2,10,100,72\nmember,m-phi0,3,10,100,74\n" +
                                                  "baseline,b,1,20,300,80\n");
        var points = RunCharts.FamilyPoints(table, "macs", "test_top1");
        var m = points.Single(p => p.Name == "m-phi0");
        Assert.Equal(72, m.Y, 9);
        // 70, 72, 74: standard deviation 2, so the 95% interval's half-width is t(0.975, 2) · 2 / √3 = 4.303 · 1.1547 = 4.9683.
        Assert.Equal(4.30265272974946 * 2 / Math.Sqrt(3), m.Spread!.Value, 9);
        Assert.Equal(3, m.Seeds);
        Assert.Null(points.Single(p => p.Name == "b").Spread);
        var figure = RunCharts.Family([("run", table)], "macs", "MACs", logX: true)!;
        Assert.Equal(m.Spread!.Value, figure["data"]![0]!["error_y"]!["array"]![0]!.GetValue<double>(), 9);
    }

    [Fact]
    public void NamesFromFilesCannotBecomeMarkup()
    {
        var table = new HtmlTable("t", ["name"]).Add(["<img src=x onerror=alert(1)>"]);
        Assert.Contains("&lt;img src=x onerror=alert(1)&gt;", table.ToHtml());
        var model = new ReportModel("</script><script>alert(1)</script>", null, null, [], []);
        Assert.DoesNotContain("</script>", model.ToJsonText());
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(HtmlPage.Render(model), "<script type=\"application/json\""));
    }
}
