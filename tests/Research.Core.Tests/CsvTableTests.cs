using Research.Core.Csv;

namespace Research.Core.Tests;

public class CsvTableTests
{
    [Fact]
    public void QuotesOnlyWhatNeedsQuotingAndEndsLinesWithNewline()
    {
        var text = CsvTable.ToText(["a", "b", "c"], [["-0.07", "x,y", "q\"z"], [" lead", "", null]]);
        Assert.Equal("a,b,c\n-0.07,\"x,y\",\"q\"\"z\"\n lead,,\n", text);
    }

    [Fact]
    public void ReadsBackWhatItWrote()
    {
        var text = CsvTable.ToText(["name", "genotype"], [["n", "concat 2,3 | \"x\""], ["m", "line\nbreak"]]);
        var rows = CsvTable.Parse(text);
        Assert.Equal(2, rows.Count);
        Assert.Equal("concat 2,3 | \"x\"", rows[0]["genotype"]);
        Assert.Equal("line\nbreak", rows[1]["genotype"]);
    }

    [Fact]
    public void ARowOfTheWrongWidthIsAnError() =>
        Assert.Throws<ArgumentException>(() => CsvTable.ToText(["a", "b"], [["1"]]));
}
