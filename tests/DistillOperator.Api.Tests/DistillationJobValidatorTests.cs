using DistillOperator.Api.V1Alpha1;
using DistillOperator.Api.Validation;
using DistillOperator.Testing;

namespace DistillOperator.Api.Tests;

public sealed class DistillationJobValidatorTests
{
    private static IReadOnlyList<ValidationProblem> Validate(TestJobs builder) =>
        DistillationJobValidator.Validate(DistillationJobDefaults.Apply(builder.Build()));

    public static TheoryData<string, Action<DistillationJob>, string, string> Rules() => new()
    {
        {
            "a negative temperature names the value",
            j => j.Spec.Distillation.Temperature = -1,
            "spec.distillation.temperature", "must be greater than 0, got -1"
        },
        {
            "a student wider than the teacher",
            j => j.Spec.Student.Architecture = new ArchitectureSpec { HiddenSize = 128 },
            "spec.student.architecture.hiddenSize", "must not exceed the teacher's (64), got 128"
        },
        {
            "a student deeper than the teacher",
            j => j.Spec.Student.Architecture = new ArchitectureSpec { Layers = 6 },
            "spec.student.architecture.layers", "must not exceed the teacher's (4), got 6"
        },
        {
            "heads that do not divide the width",
            j => j.Spec.Student.Architecture = new ArchitectureSpec { Heads = 3 },
            "spec.student.architecture.heads", "must divide hiddenSize (64), got 3"
        },
        {
            "a narrower student copied from the teacher",
            j => j.Spec.Student.Architecture = new ArchitectureSpec { HiddenSize = 32, Heads = 2, IntermediateSize = 128 },
            "spec.student.architecture.hiddenSize", "must equal the teacher's (64) to initialise from teacher layers, got 32; set spec.student.initFrom: random for a narrower student"
        },
        {
            "frozen embeddings that were never copied from the teacher",
            j =>
            {
                j.Spec.Student.InitFrom = StudentInit.Random;
                j.Spec.Student.FreezeEmbeddings = true;
            },
            "spec.student.freezeEmbeddings", "needs spec.student.initFrom: teacher; frozen random embeddings would never learn"
        },
        {
            "cosine between different widths",
            j =>
            {
                j.Spec.Student.InitFrom = StudentInit.Random;
                j.Spec.Student.Architecture = new ArchitectureSpec { HiddenSize = 32, Heads = 2 };
            },
            "spec.distillation.internal.hidden.loss", "cosine needs equal widths, but the student is 32 wide and the teacher 64; use mse, which learns a projection"
        },
        {
            "strategy none without hard labels",
            j => j.Spec.Distillation.Strategy = DistillationStrategy.None,
            "spec.distillation.hardLabelWeight", "must be greater than 0 with strategy none, which learns from hard labels only"
        },
        {
            "explicit mapping without pairs",
            j => j.Spec.Distillation.Internal.LayerMapping = LayerMappingMode.Explicit,
            "spec.distillation.internal.layerPairs", "is required with layerMapping: explicit; list pairs such as {student: 1, teacher: 2}"
        },
        {
            "pairs given with the uniform mapping",
            j => j.Spec.Distillation.Internal.LayerPairs = [new LayerPair { Student = 1, Teacher = 2 }],
            "spec.distillation.internal.layerPairs", "is only used with layerMapping: explicit"
        },
        {
            "a queue name that is not a label value",
            j => j.Spec.RunPolicy.QueueName = "gpu queue",
            "spec.runPolicy.queueName", "must be a Kubernetes label value (letters, digits, '-', '_' and '.', starting and ending with a letter or digit), got \"gpu queue\""
        },
        {
            "a memory request that is not a quantity",
            j => j.Spec.Resources.Memory = "16 GB",
            "spec.resources.memory", "must be a Kubernetes quantity such as 4, 500m or 16Gi, got \"16 GB\""
        },
        {
            "a name too long for the derived objects",
            j => j.Metadata.Name = new string('a', 53),
            "metadata.name", "must be at most 52 characters so the names derived from it stay within Kubernetes limits, got 53"
        },
        {
            "a name that is not a DNS label",
            j => j.Metadata.Name = "Sentiment_Job",
            "metadata.name", "must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit), got \"Sentiment_Job\""
        },
        {
            "an object-store URI",
            j => j.Spec.Data.Train.Uri = "s3://bucket/train.tsv",
            "spec.data.train.uri", "uses unsupported scheme \"s3\"; use pvc://CLAIM/PATH in a cluster, or file:///PATH or a relative path for local runs"
        },
        {
            "an output inside the trainer's container",
            j => j.Spec.Output.Uri = "file:///models/student",
            "spec.output.uri", "must be pvc://CLAIM/PATH in a cluster, got \"file:///models/student\": a file:// output is written inside the trainer's container and lost with its pod; file:// outputs work only with distill run"
        },
        {
            "repeated class names",
            j => j.Spec.Data.Train.Labels = ["negative", "positive", "negative"],
            "spec.data.train.labels", "must not repeat a class name"
        },
        {
            "an empty quality gate",
            j => j.Spec.QualityGate = new QualityGate(),
            "spec.qualityGate", "set at least one of minStudentAccuracy, minAgreement, maxAccuracyDrop or maxRegression, or remove the gate"
        },
        {
            "a quality gate without validation data",
            j =>
            {
                j.Spec.Data.Validation = null;
                j.Spec.QualityGate = new QualityGate { MinAgreement = 0.9 };
            },
            "spec.qualityGate", "is checked against the student's accuracy and agreement on validation data: set spec.data.validation, or remove the gate"
        },
        {
            "keeping the best student without validation data",
            j =>
            {
                j.Spec.Data.Validation = null;
                j.Spec.Training.KeepBest = true;
            },
            "spec.training.keepBest", "chooses the student by its validation accuracy: set spec.data.validation, or remove keepBest"
        },
        {
            "a teacher trained from scratch without its width",
            j => j.Spec.Teacher.Architecture!.HiddenSize = null,
            "spec.teacher.architecture.hiddenSize", "is required for a teacher trained from scratch"
        },
    };

    [Theory]
    [MemberData(nameof(Rules))]
    public void Each_rule_reports_its_path_and_message(string rule, Action<DistillationJob> breakIt, string path, string message)
    {
        var problems = Validate(TestJobs.Named("job").WithTeacherArchitecture(4, 64, 4, 256).With(breakIt));

        Assert.True(problems.Contains(new ValidationProblem(path, message)), $"{rule}: expected \"{path}: {message}\", got: {string.Join(" | ", problems)}");
    }

    [Fact]
    public void A_job_with_only_the_required_fields_is_valid()
    {
        Assert.Empty(Validate(TestJobs.Named("minimal")));
    }

    [Fact]
    public void Every_problem_is_returned_at_once()
    {
        var problems = Validate(TestJobs.Named("many").With(j =>
        {
            j.Spec.Distillation.Temperature = 0;
            j.Spec.Training.BatchSize = 0;
            j.Spec.Output.Uri = "ftp://x/y";
        }));

        Assert.Equal(["spec.distillation.temperature", "spec.training.batchSize", "spec.output.uri"], problems.Select(p => p.Path));
    }

    [Fact]
    public void Rules_that_need_the_teacher_apply_once_its_architecture_is_loaded()
    {
        var job = DistillationJobDefaults.Apply(TestJobs.Named("pretrained").With(j =>
        {
            j.Spec.Student.Architecture = new ArchitectureSpec { Layers = 8 };
            j.Spec.Distillation.Internal.LayerMapping = LayerMappingMode.Explicit;
            j.Spec.Distillation.Internal.LayerPairs = [new LayerPair { Student = 1, Teacher = 13 }];
        }).Build());

        Assert.Empty(DistillationJobValidator.Validate(job));
        var loaded = new ArchitectureSpec { Layers = 6, HiddenSize = 384, Heads = 12, IntermediateSize = 1536 };
        var problems = DistillationJobValidator.ValidateAgainstTeacher(job.Spec, loaded);

        Assert.Equal(
            ["spec.student.architecture.layers: must not exceed the teacher's (6), got 8", "spec.distillation.internal.layerPairs[0].teacher: must be at most the teacher's layer count (6), got 13"],
            problems.Select(p => p.ToString()));
    }

    [Fact]
    public void The_student_defaults_to_half_the_teacher_at_its_width()
    {
        var job = DistillationJobDefaults.Apply(TestJobs.Named("derived").WithTeacherArchitecture(12, 768, 12, 3072).Build());

        var student = job.Spec.Student.Architecture!;

        Assert.Equal((6, 768, 12, 3072), (student.Layers, student.HiddenSize, student.Heads, student.IntermediateSize));
        Assert.NotNull(job.Spec.Teacher.Finetune);
        Assert.Equal(TokenizerType.Word, job.Spec.Data.Tokenizer.Type);
        Assert.Equal(job.Spec.Training.EpochsPerStage, job.Spec.Training.ClassificationEpochs);
    }

    [Fact]
    public void Defaulting_twice_gives_the_same_job()
    {
        var once = DistillationJobDefaults.Apply(TestJobs.Named("twice").WithTeacherArchitecture(4, 64, 4, 256).Build());
        var first = k8s.KubernetesJson.Serialize(once);

        var second = k8s.KubernetesJson.Serialize(DistillationJobDefaults.Apply(once));

        Assert.Equal(first, second);
    }
}
