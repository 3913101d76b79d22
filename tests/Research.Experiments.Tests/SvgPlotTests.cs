using System.Xml;
using Research.Experiments.Reports;

namespace Research.Experiments.Tests;

public class SvgPlotTests
{
    [Fact]
    public void TheChartIsValidXmlEvenWithAwkwardLabels()
    {
        var svg = SvgPlot.Chart("a <title> & \"quotes\"", "MACs (log scale)", "top-1 (%)",
        [
            new SvgPlot.Series("family", [new(1e6, 80, "φ0"), new(2.1e6, 83, "φ1"), new(4.5e6, 84.5, "φ2")], true, "circle", "#1f77b4"),
            new SvgPlot.Series("baselines <&>", [new(3e6, 82, "net<1>&'2'")], false, "square", "#d62728"),
        ]);
        var doc = new XmlDocument();
        doc.LoadXml(svg);
        Assert.Contains("a <title> & \"quotes\"", doc.InnerText);
        Assert.Contains("net<1>&'2'", doc.InnerText);
    }

    [Fact]
    public void EmptyAndSinglePointChartsStillRender()
    {
        new XmlDocument().LoadXml(SvgPlot.Chart("empty", "x", "y", []));
        new XmlDocument().LoadXml(SvgPlot.Chart("one", "x", "y", [new SvgPlot.Series("s", [new(5e5, 90, "p")], true, "circle", "#000")]));
    }

    [Theory]
    [InlineData(5.5, 6.2)]      // 316K .. 1.6M
    [InlineData(7.9, 10.5)]     // many decades
    [InlineData(6.01, 6.03)]    // a sliver
    public void LogTicksFallInsideTheRange(double lo, double hi)
    {
        var ticks = SvgPlot.LogTicks(lo, hi);
        Assert.InRange(ticks.Count, 2, 12);
        Assert.All(ticks, t => Assert.InRange(Math.Log10(t), lo - 1e-9, hi + 1e-9));
    }

    [Fact]
    public void LinearTicksUseRoundSteps()
    {
        var ticks = SvgPlot.LinearTicks(81.3, 88.9, out var step);
        Assert.Equal(2, step);
        Assert.Equal([82.0, 84.0, 86.0, 88.0], ticks);
    }
}
