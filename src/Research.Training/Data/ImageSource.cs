using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using CsvHelper;

namespace Research.Training.Data;

/// <summary>One image file of a folder or CSV dataset: its path, label, split, and where it was listed (a CSV's line; 0 for folders).</summary>
public sealed record ImageEntry(string Path, int Label, string Split, int Line);

/// <summary>
/// The image files of a researcher's dataset and their labels, before anything is decoded.
/// <list type="bullet">
/// <item>A folder (torchvision's ImageFolder layout): ROOT/train/&lt;class&gt;/*, and optionally
/// ROOT/val/&lt;class&gt;/* and ROOT/test/&lt;class&gt;/*. Classes are the sorted (ordinal) names of
/// train's subfolders; files are sorted too, so the order, and therefore every split and shuffle,
/// does not depend on the file system. Hidden files (.name) are ignored.</item>
/// <item>A CSV list: rows <c>path,label[,split]</c> under a header, paths relative to the CSV's
/// folder, labels class names (sorted) or integers 0…K−1, split train (default), val or test.</item>
/// </list>
/// Problems are <see cref="InvalidDataException"/>s naming the folder, or the CSV's line.
/// </summary>
public sealed record ImageSource(string Kind, string Location, IReadOnlyList<ImageEntry> Entries, string[] ClassNames)
{
    public const string Train = "train";
    public const string Validation = "val";
    public const string Test = "test";

    public static readonly string[] Splits = [Train, Validation, Test];

    /// <summary>Numbered labels make K classes from the largest one; a label of two billion would otherwise allocate two billion names.</summary>
    public const int MaxClasses = 100_000;

    public IEnumerable<ImageEntry> Of(string split) => Entries.Where(e => e.Split == split);

    public static ImageSource FromFolder(string root)
    {
        if (!Directory.Exists(root)) throw new DirectoryNotFoundException($"dataset folder not found: {root}");
        var train = Path.Combine(root, Train);
        if (!Directory.Exists(train))
            throw new InvalidDataException($"{root}: no {Train}/ folder (expected {root}/{Train}/<class>/<image>, and optionally {Validation}/ and {Test}/ alike)");
        var classes = Directory.GetDirectories(train).Select(d => Path.GetFileName(d)).Where(n => !n.StartsWith('.')).Order(StringComparer.Ordinal).ToArray();
        if (classes.Length == 0) throw new InvalidDataException($"{train}: holds no class folders");
        var entries = new List<ImageEntry>();
        foreach (var split in Splits)
        {
            var dir = Path.Combine(root, split);
            if (!Directory.Exists(dir)) continue;
            foreach (var folder in Directory.GetDirectories(dir).Order(StringComparer.Ordinal))
            {
                var name = Path.GetFileName(folder);
                if (name.StartsWith('.')) continue;
                int label = Array.IndexOf(classes, name);
                if (label < 0) throw new InvalidDataException($"{folder}: class '{name}' is not one of {Train}/'s ({string.Join(", ", classes)})");
                var files = Directory.GetFiles(folder).Where(f => !Path.GetFileName(f).StartsWith('.')).Order(StringComparer.Ordinal).ToList();
                if (files.Count == 0) throw new InvalidDataException($"{folder}: empty class folder (no files)");
                entries.AddRange(files.Select(f => new ImageEntry(f, label, split, 0)));
            }
            foreach (var stray in Directory.GetFiles(dir).Where(f => !Path.GetFileName(f).StartsWith('.')).Take(1))
                throw new InvalidDataException($"{stray}: a file directly in {split}/; images go in class folders ({split}/<class>/<image>)");
        }
        return new ImageSource("folder", root, entries, classes);
    }

    public static ImageSource FromCsv(string csvPath)
    {
        if (!File.Exists(csvPath)) throw new FileNotFoundException($"dataset list not found: {csvPath}", csvPath);
        var folder = Path.GetDirectoryName(Path.GetFullPath(csvPath))!;
        var rows = new List<(string Path, string Label, string Split, int Line)>();
        using (var csv = CsvReader.FromFile(csvPath, CsvReaderOptions.Default))
        {
            csv.ReadHeader();
            var header = csv.Headers.Select(h => h.Trim()).ToArray();
            int pathColumn = Array.IndexOf(header, "path"), labelColumn = Array.IndexOf(header, "label"), splitColumn = Array.IndexOf(header, "split");
            if (pathColumn < 0 || labelColumn < 0)
                throw new InvalidDataException($"{csvPath}:1: the header must name the columns path and label (and optionally split), got {string.Join(",", header)}");
            int line = 1;
            while (csv.Read())
            {
                line++;
                string path = csv.GetString(pathColumn).Trim(), label = csv.GetString(labelColumn).Trim();
                string split = splitColumn >= 0 && splitColumn < csv.FieldCount ? csv.GetString(splitColumn).Trim() : "";
                if (path.Length == 0 && label.Length == 0) continue;
                if (path.Length == 0) throw new InvalidDataException($"{csvPath}:{line}: no path");
                if (label.Length == 0) throw new InvalidDataException($"{csvPath}:{line}: {path}: no label");
                if (split.Length == 0) split = Train;
                if (!Splits.Contains(split)) throw new InvalidDataException($"{csvPath}:{line}: split '{split}' is not one of {string.Join(", ", Splits)}");
                rows.Add((path, label, split, line));
            }
        }
        var trainLabels = rows.Where(r => r.Split == Train).Select(r => r.Label).ToList();
        if (trainLabels.Count == 0) throw new InvalidDataException($"{csvPath}: lists no {Train} images");
        bool numbered = trainLabels.All(l => int.TryParse(l, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        if (numbered && trainLabels.Max(l => int.Parse(l, CultureInfo.InvariantCulture)) is var top and >= MaxClasses)
            throw new InvalidDataException($"{csvPath}: the label {top} asks for {top + 1} classes; numbered labels are 0 to K-1 with K at most {MaxClasses}");
        string[] classes = numbered
            ? Enumerable.Range(0, trainLabels.Max(l => int.Parse(l, CultureInfo.InvariantCulture)) + 1).Select(i => i.ToString(CultureInfo.InvariantCulture)).ToArray()
            : trainLabels.Distinct().Order(StringComparer.Ordinal).ToArray();
        var entries = new List<ImageEntry>(rows.Count);
        foreach (var (path, label, split, line) in rows)
        {
            int index = numbered
                ? int.TryParse(label, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n < classes.Length ? n : -1
                : Array.IndexOf(classes, label);
            if (index < 0)
                throw new InvalidDataException($"{csvPath}:{line}: unknown label '{label}' ({(numbered ? $"the {Train} rows number classes 0..{classes.Length - 1}" : $"the {Train} rows name {string.Join(", ", classes.Take(10))}{(classes.Length > 10 ? ", …" : "")}")})");
            // A NUL cannot be in a file name (and .NET's path functions throw on it).
            if (path.Contains('\0')) throw new InvalidDataException($"{csvPath}:{line}: the path holds a NUL character");
            var full = Path.GetFullPath(Path.Combine(folder, path));
            if (!File.Exists(full)) throw new InvalidDataException($"{csvPath}:{line}: {path}: file not found ({full})");
            entries.Add(new ImageEntry(full, index, split, line));
        }
        return new ImageSource("csv", csvPath, entries, classes);
    }

    /// <summary>
    /// SHA-256 of the file list: every file's split, label, path (relative to the dataset), size and
    /// modification time. A changed, added, removed or relabelled file changes it.
    /// </summary>
    public string Fingerprint()
    {
        var baseDir = Kind == "csv" ? Path.GetDirectoryName(Path.GetFullPath(Location))! : Path.GetFullPath(Location);
        var text = new StringBuilder();
        text.Append(Kind).Append('\n').Append(string.Join("\t", ClassNames)).Append('\n');
        foreach (var e in Entries)
        {
            var info = new FileInfo(e.Path);
            text.Append(e.Split).Append('\t').Append(e.Label.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(Path.GetRelativePath(baseDir, e.Path)).Append('\t').Append(info.Length.ToString(CultureInfo.InvariantCulture)).Append('\t')
                .Append(info.LastWriteTimeUtc.Ticks.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())));
    }

    /// <summary>Where a file was listed, for messages: the CSV line, else the path.</summary>
    public string Where(ImageEntry e) => e.Line > 0 ? $"{Location}:{e.Line}: {e.Path}" : e.Path;
}
