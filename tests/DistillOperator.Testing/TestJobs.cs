using DistillOperator.Api.V1Alpha1;
using k8s.Models;

namespace DistillOperator.Testing;

/// <summary>Builds DistillationJobs for tests: <c>TestJobs.Named("a").WithStrategy(DistillationStrategy.Soft).Build()</c>.</summary>
public sealed class TestJobs
{
    private readonly DistillationJob _job;

    private TestJobs(string name)
    {
        _job = new DistillationJob
        {
            Metadata = new V1ObjectMeta { Name = name, NamespaceProperty = "default", Generation = 1 },
            Spec = new DistillationJobSpec
            {
                Teacher = new TeacherSpec { Model = new ModelSource { Uri = "pvc://models/teacher" } },
                Data = new DataSpec { Train = new DatasetSpec { Uri = "pvc://data/train.tsv" } },
                Output = new OutputSpec { Uri = $"pvc://models/students/{name}" },
            },
        };
    }

    /// <summary>A valid job with a pretrained teacher on a PVC, writing to its own folder pvc://models/students/NAME.</summary>
    public static TestJobs Named(string name) => new(name);

    /// <summary>Sets metadata.generation.</summary>
    public TestJobs WithGeneration(long generation) => With(j => j.Metadata.Generation = generation);

    /// <summary>Sets the strategy.</summary>
    public TestJobs WithStrategy(DistillationStrategy strategy) => With(j => j.Spec.Distillation.Strategy = strategy);

    /// <summary>Trains the teacher from scratch with this architecture instead of loading a model.</summary>
    public TestJobs WithTeacherArchitecture(int layers, int hiddenSize, int heads, int intermediateSize) => With(j =>
    {
        j.Spec.Teacher.Model = null;
        j.Spec.Teacher.Architecture = new ArchitectureSpec { Layers = layers, HiddenSize = hiddenSize, Heads = heads, IntermediateSize = intermediateSize };
    });

    /// <summary>Adds validation data (needed by a quality gate and by keepBest).</summary>
    public TestJobs WithValidationData() => With(j => j.Spec.Data.Validation = new DatasetSpec { Uri = "pvc://data/dev.tsv" });

    /// <summary>Sets spec.runPolicy.suspend.</summary>
    public TestJobs Suspended(bool suspended = true) => With(j => j.Spec.RunPolicy.Suspend = suspended);

    /// <summary>Applies any change.</summary>
    public TestJobs With(Action<DistillationJob> change)
    {
        ArgumentNullException.ThrowIfNull(change);
        change(_job);
        return this;
    }

    /// <summary>The job.</summary>
    public DistillationJob Build() => _job;
}
