using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using DistillOperator.Training.Models;
using DistillOperator.Training.Outputs;
using DistillOperator.Training.Text;
using Spectre.Console;
using static TorchSharp.torch;

namespace DistillOperator.Cli.Commands;

/// <summary><c>distill predict --model DIR TEXT...</c>: classifies texts with an exported model.</summary>
internal static class PredictCommand
{
    public static Command Create(TextWriter output, TextWriter error)
    {
        var model = new Option<string>("--model", "-m") { Description = "A job's output folder (its promoted student, OUTPUT/current), a version folder (OUTPUT/versions/VERSION) or any exported model folder (config.json, model.safetensors, vocab.txt).", Required = true };
        var format = new Option<string>("--output", "-o") { Description = "table (default) or json (with each text's token ids).", DefaultValueFactory = _ => "table" };
        format.AcceptOnlyFromAmong("table", "json");
        var texts = new Argument<string[]>("TEXT") { Description = "Texts to classify.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("predict", "Classify texts with an exported model.") { model, format, texts };
        command.SetAction(parse => Run(parse.GetValue(model)!, parse.GetValue(texts)!, parse.GetValue(format) == "json", output, error));
        return command;
    }

    private static int Run(string model, string[] texts, bool json, TextWriter output, TextWriter error)
    {
        try
        {
            var folder = ModelFolder(model);
            using var classifier = BertCheckpoint.Load(folder);
            var tokenizer = ExportedTokenizer.Read(folder);
            var labels = classifier.Config.LabelNames ?? [.. Enumerable.Range(0, classifier.Config.Labels).Select(i => i.ToString(CultureInfo.InvariantCulture))];
            var maxLength = Math.Min(classifier.Config.MaxPositions, ExportedTokenizer.MaxLength(folder) ?? 512);
            classifier.eval();
            var results = new JsonArray();
            var table = new Table().AddColumn("text").AddColumn("label").AddColumn("probabilities");
            using var noGrad = no_grad();
            foreach (var text in texts)
            {
                var encoded = tokenizer.Encode(text, null, maxLength);
                using var scope = NewDisposeScope();
                var ids = tensor(encoded.Ids.Select(i => (long)i).ToArray(), [1, encoded.Length]);
                var logits = classifier.Forward(ids, ones_like(ids), tensor(encoded.TypeIds.Select(i => (long)i).ToArray(), [1, encoded.Length]), ForwardRequest.LogitsOnly).Logits;
                var probabilities = nn.functional.softmax(logits, -1)[0].data<float>().ToArray();
                var best = Array.IndexOf(probabilities, probabilities.Max());
                results.Add(new JsonObject
                {
                    ["text"] = text,
                    ["label"] = labels[best],
                    ["probabilities"] = new JsonObject(labels.Select((l, i) => KeyValuePair.Create(l, (JsonNode?)probabilities[i]))),
                    ["tokenIds"] = new JsonArray([.. encoded.Ids.Select(i => (JsonNode)i)]),
                });
                table.AddRow(Markup.Escape(text), Markup.Escape(labels[best]), Markup.Escape(string.Join(", ", labels.Select((l, i) => string.Create(CultureInfo.InvariantCulture, $"{l} {probabilities[i]:F4}")))));
            }

            if (json)
            {
                output.WriteLine(results.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));
            }
            else
            {
                ConsoleFor.Writer(output).Write(table);
            }

            return 0;
        }
        catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException)
        {
            error.WriteLine($"distill predict: {e.Message}");
            return 2;
        }
    }

    // A job's output folder stands for its promoted student; a version folder (or any exported model) for itself.
    // The promoted student comes first: an output folder written by trainers before versioned outputs may still hold
    // an older student's files beside current.
    private static string ModelFolder(string model)
    {
        if (Promotion.Current(model) is { } promoted)
        {
            return promoted.Folder;
        }

        if (File.Exists(Path.Combine(model, BertCheckpoint.ConfigFile)))
        {
            return model;
        }

        if (OutputLayout.Versions(model) is { Count: > 0 } versions)
        {
            throw new InvalidDataException($"--model {model}: no version is promoted yet (no student passed its gate); name one: --model {OutputLayout.VersionFolder(model, versions[^1])}");
        }

        return model;
    }
}
