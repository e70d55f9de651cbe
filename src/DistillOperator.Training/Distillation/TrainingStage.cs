using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Training.Distillation;

/// <summary>What a stage trains.</summary>
public enum StageKind
{
    /// <summary>The teacher learns the task from the labels.</summary>
    TeacherFinetune,

    /// <summary>The student matches the teacher's internal representations of some layer pairs.</summary>
    Internal,

    /// <summary>The student learns the task from soft and/or hard labels.</summary>
    Classification,
}

/// <summary>The weights of the loss terms in a stage; 0 means the term is off.</summary>
public sealed record LossWeights(double Hard, double Soft, double Attention, double Hidden)
{
    /// <summary>Names of the terms with a non-zero weight.</summary>
    public IReadOnlyList<string> Active =>
        [.. new[] { ("hard", Hard), ("soft", Soft), ("attention", Attention), ("hidden", Hidden) }.Where(t => t.Item2 > 0).Select(t => t.Item1)];
}

/// <summary>One stage of a run: its name, what it trains, which layer pairs and losses, for how many epochs.</summary>
public sealed record TrainingStage(string Name, StageKind Kind, IReadOnlyList<LayerPair> Pairs, LossWeights Losses, int Epochs, double LearningRate)
{
    /// <summary>Teacher layers whose attention the stage needs.</summary>
    public IReadOnlySet<int> TeacherAttentionLayers =>
        Losses.Attention > 0 ? Pairs.Select(p => p.Teacher).ToHashSet() : new HashSet<int>();

    /// <summary>Teacher layers whose [CLS] state the stage needs.</summary>
    public IReadOnlySet<int> TeacherClsLayers =>
        Losses.Hidden > 0 ? Pairs.Select(p => p.Teacher).ToHashSet() : new HashSet<int>();

    /// <summary>Student layers whose attention the stage needs.</summary>
    public IReadOnlySet<int> StudentAttentionLayers =>
        Losses.Attention > 0 ? Pairs.Select(p => p.Student).ToHashSet() : new HashSet<int>();
}
