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

    /// <summary>Text a spreadsheet would run as a formula gets an apostrophe; numbers keep their sign; reading gives back exactly what was written.</summary>
    [Fact]
    public void FormulaTextIsDefusedAndReadBackExactly()
    {
        string[] fields = ["=HYPERLINK(\"http://x\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "\tx", "-0.07", "+5", "-1e-3", "'=already", "'plain", "=", "-Infinity", "ok"];
        var text = CsvTable.ToText(["=header", "b"], fields.Select(f => (IReadOnlyList<string?>)[f, "x"]));
        var lines = text.Split('\n');
        Assert.Equal("'=header,b", lines[0]);
        Assert.Equal("\"'=HYPERLINK(\"\"http://x\"\")\",x", lines[1]);
        Assert.Equal("'+1+cmd|' /C calc'!A0,x", lines[2]);
        Assert.Equal("'-2+3,x", lines[3]);
        Assert.Equal("'@SUM(A1),x", lines[4]);
        Assert.Equal("'\tx,x", lines[5]);
        Assert.Equal(["-0.07,x", "+5,x", "-1e-3,x"], lines[6..9]);
        Assert.Equal("''=already,x", lines[9]);
        Assert.Equal("'plain,x", lines[10]);
        var rows = CsvTable.Parse(text);
        Assert.Equal(fields, rows.Select(r => r["=header"]));
    }
}
