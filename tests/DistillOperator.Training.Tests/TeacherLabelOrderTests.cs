using DistillOperator.Training.Data;

namespace DistillOperator.Training.Tests;

/// <summary>The data's class indices follow a teacher used as it is, or the run stops saying which field to change.</summary>
public sealed class TeacherLabelOrderTests
{
    private readonly List<string> _warnings = [];

    private LabelSet Align(LabelSet data, IReadOnlyList<string>? teacher, bool listed = false) =>
        TeacherLabelOrder.Align(data, teacher, listed, "spec.teacher.model (teacher)", _warnings.Add);

    [Fact]
    public void Inferred_class_names_take_the_teachers_order()
    {
        var data = LabelSet.Infer(["entailment", "neutral", "contradiction"], "train.tsv");
        Assert.Equal(["contradiction", "entailment", "neutral"], data.Names);

        var aligned = Align(data, ["entailment", "neutral", "contradiction"]);

        Assert.Equal(["entailment", "neutral", "contradiction"], aligned.Names);
        Assert.Equal(1, aligned.Resolve("neutral").Index);
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Classes_listed_in_another_order_than_the_teachers_are_rejected_naming_the_field()
    {
        var error = Assert.Throws<InvalidDataException>(() => Align(LabelSet.FromNames(["positive", "negative"]), ["negative", "positive"], listed: true));

        Assert.StartsWith("spec.data.train.labels: lists the classes as positive, negative but the teacher (spec.teacher.model (teacher), id2label) orders them negative, positive", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("LABEL_0", "LABEL_1")]
    [InlineData("0", "1")]
    public void Placeholder_names_of_the_teacher_leave_the_data_as_it_is(string first, string second)
    {
        var data = LabelSet.Infer(["pos", "neg"], "train.tsv");

        Assert.Same(data, Align(data, [first, second]));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Index_labels_in_the_data_are_the_teachers_indices()
    {
        var data = LabelSet.Infer(["1", "0"], "train.tsv");

        Assert.Same(data, Align(data, ["negative", "positive"]));
        Assert.Empty(_warnings);
    }

    [Fact]
    public void Names_that_do_not_match_keep_the_data_order_and_warn()
    {
        var data = LabelSet.Infer(["neg", "pos"], "train.tsv");

        Assert.Same(data, Align(data, ["NEGATIVE", "POSITIVE"]));

        var warning = Assert.Single(_warnings);
        Assert.Contains("the teacher's classes (NEGATIVE, POSITIVE) are not named as the data's (neg, pos)", warning, StringComparison.Ordinal);
    }
}
