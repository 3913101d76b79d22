using Research.Core.Csv;
using Research.Models.Inference;
using Research.Torch.IO;
using Research.Training;
using Research.Training.Data;
using Research.Training.Transforms;

namespace Research.Cli.Commands;

/// <summary>
/// `research predict`: classifies an image file, a folder of images or a .npy float32 array
/// [N, C, H, W] (taken as already normalised), writing one CSV row per input with its top-K
/// classes and probabilities (and every logit with --logits). Images are prepared as the model was
/// trained: the run's preprocess.json (image size, channels, statistics) when the weights are a
/// run's model file, else --mean/--std and the model's own input. Inference runs on the chosen
/// engine (`--engine`: batch norm folded into the convolutions, libtorch or ONNX Runtime).
/// </summary>
public static class PredictCommand
{
    public static Command Create()
    {
        var model = new Option<string?>("--model") { Description = "the model (a registered name, spec or genotype); default: the run's model.yaml beside --weights" };
        var weights = new Option<string>("--weights") { Description = "weights: a run's model.safetensors, or .safetensors/.pth in any naming the model's family has", Required = true };
        var input = new Option<string>("--input") { Description = "an image file, a folder of images, or a .npy float32 array [N, C, H, W] already normalised", Required = true };
        var outFile = new Option<string>("--out") { Description = "the CSV to write", Required = true };
        var top = new Option<int>("--top") { Description = "classes per row", DefaultValueFactory = _ => 5 };
        var logits = new Option<bool>("--logits") { Description = "also write every logit" };
        var mean = new Option<string?>("--mean") { Description = "per-channel mean of [0, 1] pixels for weights from elsewhere, e.g. 0.485,0.456,0.406 (or 'imagenet')" };
        var std = new Option<string?>("--std") { Description = "per-channel standard deviation, e.g. 0.229,0.224,0.225 (or 'imagenet')" };
        var batch = new Option<int>("--batch") { Description = "inputs per forward pass", DefaultValueFactory = _ => 64 };
        var run = new ModelRunOptions();
        var cmd = new Command("predict", "classify images or a .npy batch with saved weights; one CSV row per input")
            { model, weights, input, outFile, top, logits, mean, std, batch };
        run.AddTo(cmd);
        cmd.SetAction(parse =>
        {
            var o = parse.InvocationConfiguration.Output;
            run.ApplyThreads(parse);
            var device = run.Execution.Bind(parse).ResolveDevice();
            var inferenceCfg = run.Inference.Bind(parse);
            int k = parse.GetValue(top), batchSize = parse.GetValue(batch);
            if (k < 1) throw new ArgumentException($"--top {k}: must be >= 1");
            if (batchSize < 1) throw new ArgumentException($"--batch {batchSize}: must be >= 1");
            string inputPath = parse.GetValue(input)!, outPath = parse.GetValue(outFile)!;
            bool npy = inputPath.EndsWith(".npy", StringComparison.OrdinalIgnoreCase);
            var files = npy ? [] : ImageInputs(inputPath);
            using var trained = TrainedModel.Open(parse.GetValue(model), parse.GetValue(weights)!, run.Overrides.Bind(parse), data: null, device);
            using var engine = InferenceEngine.Create(trained.Network, inferenceCfg, device);
            var spec = trained.Spec;
            var classNames = trained.Preprocessing?.ClassNames ?? Enumerable.Range(0, spec.Classes).Select(i => Numbers.Integer(i)).ToArray();
            k = Math.Min(k, spec.Classes);

            var rows = new List<IReadOnlyList<string?>>();
            void Predict(Tensor batchInput, IReadOnlyList<string> labels)
            {
                using var scope = torch.NewDisposeScope();
                using var noGrad = torch.no_grad();
                var output = engine.call(batchInput.to(device)).to(ScalarType.Float32).cpu();
                var probs = torch.nn.functional.softmax(output, 1);
                var (values, indices) = probs.topk(k, 1);
                var p = values.ToArray<float>();
                var ix = indices.ToArray<long>();
                var all = output.ToArray<float>();
                for (int i = 0; i < labels.Count; i++)
                {
                    var row = new List<string?> { labels[i] };
                    for (int j = 0; j < k; j++) row.AddRange([classNames[ix[i * k + j]], Numbers.RoundTrip((double)p[i * k + j])]);
                    if (parse.GetValue(logits)) row.AddRange(Enumerable.Range(0, spec.Classes).Select(c => Numbers.RoundTrip((double)all[i * spec.Classes + c])));
                    rows.Add(row);
                }
            }

            if (npy)
            {
                // Read a batch at a time, so a large array is never held whole.
                using var array = NpyFile.Open(inputPath);
                CheckNpyShape(array, spec);
                long n = array.Shape[0];
                long perImage = array.ElementCount / Math.Max(n, 1);
                long perBatch = Math.Max(1, Math.Min(batchSize, int.MaxValue / 2 / Math.Max(perImage, 1)));
                for (long start = 0; start < n; start += perBatch)
                {
                    int size = (int)Math.Min(perBatch, n - start);
                    var values = array.Read(start * perImage, (int)(size * perImage));
                    CheckFinite(inputPath, values, start * perImage, array.Shape);
                    using var slice = torch.tensor(values, [size, .. array.Shape[1..]]);
                    Predict(slice, Enumerable.Range((int)start, size).Select(i => Numbers.Integer(i)).ToList());
                }
            }
            else
            {
                var pre = trained.Preprocessing ?? FromOptions(parse.GetValue(mean), parse.GetValue(std), spec, classNames);
                var transform = pre.EvalTransform();
                int imageBytes = pre.ImageChannels * pre.ImageHeight * pre.ImageWidth;
                for (int start = 0; start < files.Count; start += batchSize)
                {
                    var chunk = files.Skip(start).Take(batchSize).ToList();
                    var bytes = new byte[chunk.Count * imageBytes];
                    for (int i = 0; i < chunk.Count; i++)
                        ImageDecoding.Decode(chunk[i], pre.ImageChannels, pre.ImageHeight, pre.ImageWidth, bytes.AsSpan(i * imageBytes, imageBytes));
                    using var scope = torch.NewDisposeScope();
                    var images = torch.from_bytes(bytes, [chunk.Count, pre.ImageChannels, pre.ImageHeight, pre.ImageWidth], ScalarType.Byte);
                    Predict(transform.Apply(images, train: false), chunk);
                }
            }
            var header = new List<string> { npy ? "index" : "path" };
            for (int j = 1; j <= k; j++) header.AddRange([$"top{j}", $"prob{j}"]);
            if (parse.GetValue(logits)) header.AddRange(classNames.Select(c => $"logit_{c}"));
            CsvTable.Write(outPath, header, rows);
            o.WriteLine($"model {spec.Name} inputs {rows.Count} ({trained.Import.Naming} names)");
            o.WriteLine($"engine {engine.Description}");
            o.WriteLine($"out {outPath}");
            return ExitCodes.Ok;
        });
        return cmd;
    }

    /// <summary>A batch [N, C, H, W] of the model's channels and input size: any other size would be classified, wrongly and silently.</summary>
    private static void CheckNpyShape(NpyFile array, Models.Specs.NetworkSpec spec)
    {
        var shape = array.Shape;
        if (shape.Length != 4 || shape[1] != spec.InChannels || shape[2] != spec.Resolution || shape[3] != spec.Resolution)
            throw new InvalidDataException($"{array.Path}: shape [{string.Join(", ", shape)}]; {spec.Name} takes [N, {spec.InChannels}, {spec.Resolution}, {spec.Resolution}] " +
                                           "(prepared as for training: resized and normalised; or give the images themselves; for weights from elsewhere, " +
                                           "--resolution builds the model for another input size)");
        if (shape[1] * shape[2] * shape[3] > int.MaxValue / 2)
            throw new InvalidDataException($"{array.Path}: {shape[1]}x{shape[2]}x{shape[3]} values an image is more than a batch can hold");
    }

    /// <summary>NaN or infinity in an input makes every probability NaN; the first is named, with its index.</summary>
    private static void CheckFinite(string path, float[] values, long offset, long[] shape)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (float.IsFinite(values[i])) continue;
            long flat = offset + i;
            var index = new long[shape.Length];
            for (int d = shape.Length - 1; d >= 0; d--)
            {
                index[d] = flat % shape[d];
                flat /= shape[d];
            }
            throw new InvalidDataException($"{path}: element [{string.Join(", ", index)}] is {Numbers.RoundTrip(values[i])}; inputs must be finite numbers");
        }
    }

    /// <summary>The image files a path names: the file itself, or a folder's images (recursively, sorted).</summary>
    private static List<string> ImageInputs(string path)
    {
        if (File.Exists(path))
        {
            if (!ImageDecoding.IsImageFile(path))
                throw new InvalidDataException($"{path}: not an image file by its extension (expected one of {string.Join(" ", ImageDecoding.Extensions)}) nor .npy");
            return [path];
        }
        if (!Directory.Exists(path)) throw new FileNotFoundException($"input not found: {path}", path);
        var files = Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories).Where(ImageDecoding.IsImageFile).Order(StringComparer.Ordinal).ToList();
        if (files.Count == 0) throw new InvalidDataException($"{path}: holds no image files ({string.Join(" ", ImageDecoding.Extensions)})");
        return files;
    }

    /// <summary>Preparation for weights from elsewhere: the model's input and the statistics the user gives.</summary>
    private static Preprocessing FromOptions(string? mean, string? std, Models.Specs.NetworkSpec spec, string[] classNames)
    {
        if (mean is null || std is null)
            throw new ArgumentException("--mean and --std are needed for weights that are not a training run's (the run's preprocess.json gives them); 'imagenet' names ImageNet's");
        static float[] Parse(string text, string option, float[] imagenet, bool positive)
        {
            if (text == "imagenet") return imagenet;
            return text.Split(',').Select(v =>
                float.TryParse(v, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var f) && float.IsFinite(f) && (!positive || f > 0)
                    ? f : throw new ArgumentException($"{option} '{text}': expected comma-separated {(positive ? "positive " : "")}numbers")).ToArray();
        }
        var m = Parse(mean, "--mean", [0.485f, 0.456f, 0.406f], positive: false);
        var s = Parse(std, "--std", [0.229f, 0.224f, 0.225f], positive: true);
        if (m.Length != s.Length || m.Length is not (1 or 3))
            throw new ArgumentException($"--mean has {m.Length} values and --std {s.Length}: give 1 (grayscale) or 3 (RGB) of each");
        return new Preprocessing
        {
            Dataset = "images", Mean = m, Std = s, ImageChannels = m.Length, ImageHeight = spec.Resolution, ImageWidth = spec.Resolution,
            ModelChannels = spec.InChannels, Resolution = spec.Resolution, ClassNames = classNames,
        };
    }
}
