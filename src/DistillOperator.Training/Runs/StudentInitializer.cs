using DistillOperator.Training.Distillation;
using DistillOperator.Training.Models;
using static TorchSharp.torch;

namespace DistillOperator.Training.Runs;

/// <summary>
/// Initialises a student from its teacher, DistilBERT style: embeddings, pooler and classifier copied, and student
/// layer k copied from its mapped teacher layer. Needs equal widths (the API validates that).
/// </summary>
public static class StudentInitializer
{
    /// <summary>Copies the teacher's weights into the student.</summary>
    public static void FromTeacher(BertClassifier teacher, BertClassifier student, LayerMapping mapping)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(student);
        ArgumentNullException.ThrowIfNull(mapping);
        var source = teacher.state_dict();
        var teacherLayerOf = mapping.Pairs.ToDictionary(p => p.Student - 1, p => p.Teacher - 1);
        using var noGrad = no_grad();
        foreach (var (name, target) in student.state_dict())
        {
            var from = name;
            const string layerPrefix = "bert.encoder.layer.";
            if (name.StartsWith(layerPrefix, StringComparison.Ordinal))
            {
                var rest = name[layerPrefix.Length..];
                var index = int.Parse(rest[..rest.IndexOf('.', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
                if (!teacherLayerOf.TryGetValue(index, out var teacherIndex))
                {
                    continue; // a student layer without a mapped teacher layer keeps its random initialisation
                }

                from = $"{layerPrefix}{teacherIndex}{rest[rest.IndexOf('.', StringComparison.Ordinal)..]}";
            }

            if (source.TryGetValue(from, out var value) && value.shape.SequenceEqual(target.shape))
            {
                target.copy_(value);
            }
        }
    }
}
