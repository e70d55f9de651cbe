using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Training.Distillation;

/// <summary>Which teacher layer each distilled student layer learns from (1-based), bottom-up.</summary>
public sealed class LayerMapping
{
    private LayerMapping(IReadOnlyList<LayerPair> pairs) => Pairs = pairs;

    /// <summary>The matched pairs in increasing order.</summary>
    public IReadOnlyList<LayerPair> Pairs { get; }

    /// <summary>Student layer k ↔ teacher layer round(k·N/M), k = 1..M (N=12, M=6 gives 2, 4, …, 12).</summary>
    public static LayerMapping Uniform(int studentLayers, int teacherLayers)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(studentLayers, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(studentLayers, teacherLayers);
        return new LayerMapping([.. Enumerable.Range(1, studentLayers).Select(k => new LayerPair
        {
            Student = k,
            Teacher = (int)Math.Round(k * (double)teacherLayers / studentLayers, MidpointRounding.AwayFromZero),
        })]);
    }

    /// <summary>The pairs the spec lists (validated by the API: in range and strictly increasing).</summary>
    public static LayerMapping Explicit(IEnumerable<LayerPair> pairs) => new([.. pairs]);

    /// <summary>The mapping a spec asks for, given the two models' depths.</summary>
    public static LayerMapping For(InternalDistillationSpec spec, int studentLayers, int teacherLayers)
    {
        ArgumentNullException.ThrowIfNull(spec);
        return spec.LayerMapping == LayerMappingMode.Explicit && spec.LayerPairs is { Count: > 0 } pairs
            ? Explicit(pairs)
            : Uniform(studentLayers, teacherLayers);
    }

    /// <summary>The teacher layers the mapping reads.</summary>
    public IReadOnlySet<int> TeacherLayers => Pairs.Select(p => p.Teacher).ToHashSet();

    /// <inheritdoc />
    public override string ToString() => string.Join(", ", Pairs.Select(p => $"{p.Student}↔{p.Teacher}"));
}
