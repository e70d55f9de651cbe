using System.Text.RegularExpressions;

namespace DistillOperator.Training.Data;

/// <summary>
/// Matches the data's class indices to a teacher used as it is (not fine-tuned): its classifier's output i is the
/// class its config.json names id2label[i], so class i of the data must be that class, or its soft labels would teach
/// the student the wrong classes without any error.
/// </summary>
public static partial class TeacherLabelOrder
{
    /// <summary>
    /// The classes to train with: <paramref name="data"/> when it already has the teacher's order or the teacher's
    /// names say nothing (LABEL_0, …, or indices), the teacher's order when the data's class names were inferred and
    /// are the same names, and <paramref name="data"/> with a warning when the names differ.
    /// </summary>
    /// <param name="data">The classes read from the data or listed in the spec.</param>
    /// <param name="teacherNames">The teacher's id2label in index order, if its config has one.</param>
    /// <param name="listedInSpec">True when <paramref name="data"/> comes from spec.data.train.labels.</param>
    /// <param name="teacherSource">The teacher's config, for messages.</param>
    /// <param name="warn">Receives a warning when the names cannot be matched.</param>
    /// <exception cref="InvalidDataException">spec.data.train.labels lists the teacher's classes in another order.</exception>
    public static LabelSet Align(LabelSet data, IReadOnlyList<string>? teacherNames, bool listedInSpec, string teacherSource, Action<string> warn)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(warn);
        if (data.NamesAreIndices || teacherNames is null || teacherNames.Count != data.Count || teacherNames.All(IsPlaceholder) ||
            data.Names.SequenceEqual(teacherNames, StringComparer.Ordinal))
        {
            return data;
        }

        var sameNames = data.Names.Order(StringComparer.Ordinal).SequenceEqual(teacherNames.Order(StringComparer.Ordinal), StringComparer.Ordinal);
        if (!sameNames)
        {
            warn($"{teacherSource}: the teacher's classes ({string.Join(", ", teacherNames)}) are not named as the data's ({string.Join(", ", data.Names)}); " +
                "class i of the data is taken to be the teacher's class i: list spec.data.train.labels in the teacher's order if that is wrong");
            return data;
        }

        if (listedInSpec)
        {
            throw new InvalidDataException(
                $"spec.data.train.labels: lists the classes as {string.Join(", ", data.Names)} but the teacher ({teacherSource}, id2label) orders them " +
                $"{string.Join(", ", teacherNames)}; list them in the teacher's order, or add spec.teacher.finetune to train a new head");
        }

        return LabelSet.FromNames(teacherNames);
    }

    // Names that carry no meaning: Hugging Face's defaults and plain indices.
    private static bool IsPlaceholder(string name) => Placeholder().IsMatch(name);

    [GeneratedRegex(@"^(LABEL_)?\d+$")]
    private static partial Regex Placeholder();
}
