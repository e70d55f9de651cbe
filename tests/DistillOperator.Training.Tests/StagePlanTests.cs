using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Distillation;

namespace DistillOperator.Training.Tests;

public sealed class StagePlanTests
{
    public static TheoryData<DistillationStrategy, string[]> Plans() => new()
    {
        { DistillationStrategy.None, ["classification: hard"] },
        { DistillationStrategy.Soft, ["classification: soft"] },
        { DistillationStrategy.AllLayers, ["internal-all [1↔2 2↔4 3↔6]: attention hidden", "classification: soft"] },
        { DistillationStrategy.Progressive, ["internal-1 [1↔2]: attention hidden", "internal-2 [2↔4]: attention hidden", "internal-3 [3↔6]: attention hidden", "classification: soft"] },
        { DistillationStrategy.Stacked, ["internal-1-1 [1↔2]: attention hidden", "internal-1-2 [1↔2 2↔4]: attention hidden", "internal-1-3 [1↔2 2↔4 3↔6]: attention hidden", "classification: soft"] },
    };

    [Theory]
    [MemberData(nameof(Plans))]
    public void Each_strategy_activates_its_loss_terms_in_its_stages(DistillationStrategy strategy, string[] expected)
    {
        var spec = SyntheticTask.Spec(strategy);

        var stages = StagePlan.For(spec, LayerMapping.Uniform(3, 6));

        Assert.Equal(expected, stages.Select(Describe));
    }

    [Fact]
    public void Stacked_and_progressive_agree_on_the_first_stage()
    {
        var mapping = LayerMapping.Uniform(3, 6);

        var stacked = StagePlan.For(SyntheticTask.Spec(DistillationStrategy.Stacked), mapping)[0];
        var progressive = StagePlan.For(SyntheticTask.Spec(DistillationStrategy.Progressive), mapping)[0];

        Assert.Equal(progressive.Pairs, stacked.Pairs);
        Assert.Equal(progressive.Losses, stacked.Losses);
    }

    [Fact]
    public void A_teacher_fine_tune_stage_comes_first_and_trains_on_hard_labels()
    {
        var stages = StagePlan.For(SyntheticTask.Spec(DistillationStrategy.Soft, teacherEpochs: 3), LayerMapping.Uniform(2, 4));

        Assert.Equal(["teacher-finetune: hard", "classification: soft"], stages.Select(Describe));
        Assert.Equal(3, stages[0].Epochs);
    }

    [Fact]
    public void Hard_labels_join_the_classification_stage_when_weighted()
    {
        var spec = SyntheticTask.Spec(DistillationStrategy.Stacked);
        spec.Distillation.HardLabelWeight = 0.1;

        Assert.Equal(["hard", "soft"], StagePlan.For(spec, LayerMapping.Uniform(1, 2))[^1].Losses.Active);
    }

    private static string Describe(TrainingStage stage) =>
        stage.Name + (stage.Pairs.Count > 0 ? $" [{string.Join(' ', stage.Pairs.Select(p => $"{p.Student}↔{p.Teacher}"))}]" : "") + ": " + string.Join(' ', stage.Losses.Active);
}
