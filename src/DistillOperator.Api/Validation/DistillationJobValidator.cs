using DistillOperator.Api.Schema;
using DistillOperator.Api.V1Alpha1;

namespace DistillOperator.Api.Validation;

/// <summary>
/// Validates a DistillationJob and returns every problem with its path. Backs <c>distill validate</c>, the operator's
/// Validated condition and the trainer's start-up check. Expects a defaulted job (<see cref="DistillationJobDefaults"/>).
/// </summary>
public static class DistillationJobValidator
{
    /// <summary>Every problem with <paramref name="job"/>.</summary>
    public static IReadOnlyList<ValidationProblem> Validate(DistillationJob job, ValidationTarget target = ValidationTarget.Cluster)
    {
        ArgumentNullException.ThrowIfNull(job);
        var problems = new List<ValidationProblem>();
        ValidateName(job, problems);
        AttributeRules.Check(job.Spec, "spec", problems);
        var spec = job.Spec;
        ValidateUris(spec, target, problems);
        ValidateTeacher(spec.Teacher, problems);
        ValidateData(spec.Data, problems);
        ValidateArchitectures(spec, spec.Teacher.Architecture, problems);
        ValidateLossWeights(spec.Distillation, problems);
        if (spec.Training.KeepBest == true && spec.Data.Validation is null)
        {
            problems.Add(new("spec.training.keepBest", "chooses the student by its validation accuracy: set spec.data.validation, or remove keepBest"));
        }

        if (spec.QualityGate is { MinStudentAccuracy: null, MinAgreement: null, MaxAccuracyDrop: null, MaxRegression: null })
        {
            problems.Add(new("spec.qualityGate", "set at least one of minStudentAccuracy, minAgreement, maxAccuracyDrop or maxRegression, or remove the gate"));
        }
        else if (spec.QualityGate is not null && spec.Data.Validation is null)
        {
            // Without validation data the run reports no accuracy or agreement, so the gate would fail every run at its end.
            problems.Add(new("spec.qualityGate", "is checked against the student's accuracy and agreement on validation data: set spec.data.validation, or remove the gate"));
        }

        return problems;
    }

    /// <summary>
    /// The rules that need the teacher's architecture, for when it is known only after loading the teacher's config
    /// (the trainer calls this with the loaded architecture).
    /// </summary>
    public static IReadOnlyList<ValidationProblem> ValidateAgainstTeacher(DistillationJobSpec spec, ArchitectureSpec teacher)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(teacher);
        var problems = new List<ValidationProblem>();
        ValidateArchitectures(spec, teacher, problems);
        return problems;
    }

    private static void ValidateName(DistillationJob job, List<ValidationProblem> problems)
    {
        var name = job.Metadata?.Name;
        if (string.IsNullOrEmpty(name))
        {
            if (string.IsNullOrEmpty(job.Metadata?.GenerateName))
            {
                problems.Add(new("metadata.name", ProblemMessages.Required));
            }

            return;
        }

        if (name.Length > DistillationJobNames.MaxNameLength)
        {
            problems.Add(new("metadata.name", $"must be at most {DistillationJobNames.MaxNameLength} characters so the names derived from it stay within Kubernetes limits, got {name.Length}"));
        }

        if (!System.Text.RegularExpressions.Regex.IsMatch(name, KubernetesFormats.DnsLabelPattern))
        {
            problems.Add(new("metadata.name", $"must be a DNS-1123 label (lower-case letters, digits and '-', starting and ending with a letter or digit), got {ProblemMessages.Format(name)}"));
        }
    }

    private static void ValidateUris(DistillationJobSpec spec, ValidationTarget target, List<ValidationProblem> problems)
    {
        void Check(string path, string? uri)
        {
            if (uri is null || uri.Length == 0)
            {
                return; // missing values are reported by the required/length rules
            }

            if (!StorageUri.TryParse(uri, out var parsed, out var error))
            {
                problems.Add(new(path, error!));
            }
            else if (target == ValidationTarget.Cluster && parsed!.Kind == StorageKind.LocalPath)
            {
                problems.Add(new(path, $"must be pvc://CLAIM/PATH or file:///PATH in a cluster, got {ProblemMessages.Format(uri)}; plain paths work only with distill run"));
            }
            else if (target == ValidationTarget.Cluster && parsed!.Kind == StorageKind.File && path == "spec.output.uri")
            {
                // An input may be baked into a custom trainer image; an output there is lost with the pod.
                problems.Add(new(path, $"must be pvc://CLAIM/PATH in a cluster, got {ProblemMessages.Format(uri)}: a file:// output is written inside the trainer's container and lost with its pod; file:// outputs work only with distill run"));
            }
        }

        Check("spec.teacher.model.uri", spec.Teacher.Model?.Uri);
        Check("spec.data.train.uri", spec.Data.Train.Uri);
        Check("spec.data.validation.uri", spec.Data.Validation?.Uri);
        Check("spec.data.test.uri", spec.Data.Test?.Uri);
        Check("spec.data.tokenizer.vocab", spec.Data.Tokenizer.Vocab);
        Check("spec.output.uri", spec.Output.Uri);
    }

    private static void ValidateTeacher(TeacherSpec teacher, List<ValidationProblem> problems)
    {
        if (teacher.Model is null && teacher.Architecture is null)
        {
            problems.Add(new("spec.teacher", "set model (a trained checkpoint) or architecture (train the teacher from scratch)"));
        }
        else if (teacher.Model is not null && teacher.Architecture is not null)
        {
            problems.Add(new("spec.teacher.architecture", "must not be set with spec.teacher.model: the model's config gives its architecture"));
        }

        if (teacher.Architecture is { } architecture && teacher.Model is null)
        {
            foreach (var (field, value) in new[] { ("layers", architecture.Layers), ("hiddenSize", architecture.HiddenSize), ("heads", architecture.Heads), ("intermediateSize", architecture.IntermediateSize) })
            {
                if (value is null)
                {
                    problems.Add(new($"spec.teacher.architecture.{field}", "is required for a teacher trained from scratch"));
                }
            }
        }
    }

    private static void ValidateData(DataSpec data, List<ValidationProblem> problems)
    {
        foreach (var (path, set) in new[] { ("spec.data.train", data.Train), ("spec.data.validation", data.Validation), ("spec.data.test", data.Test) })
        {
            if (set?.TextPairField is { } pair && pair == set.TextField)
            {
                problems.Add(new($"{path}.textPairField", $"must differ from textField, both are {ProblemMessages.Format(pair)}"));
            }

            if (set?.Labels is { } labels && labels.Distinct(StringComparer.Ordinal).Count() != labels.Count)
            {
                problems.Add(new($"{path}.labels", "must not repeat a class name"));
            }
        }

        if (data.Tokenizer.Type == TokenizerType.WordPiece && data.Tokenizer.Vocab is null)
        {
            problems.Add(new("spec.data.tokenizer.vocab", "is required for the wordpiece tokenizer (a BERT vocab.txt)"));
        }

        if (data.Tokenizer.Type == TokenizerType.Word && data.Tokenizer.Vocab is not null)
        {
            problems.Add(new("spec.data.tokenizer.vocab", "is only used by the wordpiece tokenizer; remove it or set type: wordpiece"));
        }
    }

    private static void ValidateArchitectures(DistillationJobSpec spec, ArchitectureSpec? teacher, List<ValidationProblem> problems)
    {
        var student = spec.Student.Architecture;
        foreach (var (path, architecture) in new[] { ("spec.teacher.architecture", spec.Teacher.Architecture), ("spec.student.architecture", student) })
        {
            if (architecture is { HiddenSize: { } hidden, Heads: { } heads } && heads > 0 && hidden % heads != 0)
            {
                problems.Add(new($"{path}.heads", $"must divide hiddenSize ({hidden}), got {heads}"));
            }
        }

        var studentLayers = student?.Layers ?? (teacher?.Layers is { } teacherLayerCount ? Math.Max(1, teacherLayerCount / 2) : (int?)null);
        if (teacher is not null && student is not null)
        {
            CompareToTeacher("layers", student.Layers, teacher.Layers, problems);
            CompareToTeacher("hiddenSize", student.HiddenSize, teacher.HiddenSize, problems);
            CompareToTeacher("intermediateSize", student.IntermediateSize, teacher.IntermediateSize, problems);
        }

        if (spec.Student.FreezeEmbeddings && spec.Student.InitFrom != StudentInit.Teacher)
        {
            problems.Add(new("spec.student.freezeEmbeddings", "needs spec.student.initFrom: teacher; frozen random embeddings would never learn"));
        }

        if (teacher is not null && spec.Student.InitFrom == StudentInit.Teacher && student is not null)
        {
            foreach (var (field, s, t) in new[] { ("hiddenSize", student.HiddenSize, teacher.HiddenSize), ("heads", student.Heads, teacher.Heads), ("intermediateSize", student.IntermediateSize, teacher.IntermediateSize) })
            {
                if (s is not null && t is not null && s != t)
                {
                    problems.Add(new($"spec.student.architecture.{field}", $"must equal the teacher's ({t}) to initialise from teacher layers, got {s}; set spec.student.initFrom: random for a narrower student"));
                }
            }
        }

        var internalSpec = spec.Distillation.Internal;
        var usesInternal = spec.Distillation.Strategy is DistillationStrategy.AllLayers or DistillationStrategy.Progressive or DistillationStrategy.Stacked;
        if (usesInternal && internalSpec.Hidden.Loss == HiddenLossKind.Cosine && internalSpec.Hidden.Weight > 0
            && student?.HiddenSize is { } studentWidth && teacher?.HiddenSize is { } teacherWidth && studentWidth != teacherWidth)
        {
            problems.Add(new("spec.distillation.internal.hidden.loss", $"cosine needs equal widths, but the student is {studentWidth} wide and the teacher {teacherWidth}; use mse, which learns a projection"));
        }

        ValidateLayerMapping(internalSpec, studentLayers, teacher?.Layers, problems);
    }

    private static void CompareToTeacher(string field, int? student, int? teacher, List<ValidationProblem> problems)
    {
        if (student is not null && teacher is not null && student > teacher)
        {
            problems.Add(new($"spec.student.architecture.{field}", $"must not exceed the teacher's ({teacher}), got {student}"));
        }
    }

    private static void ValidateLayerMapping(InternalDistillationSpec internalSpec, int? studentLayers, int? teacherLayers, List<ValidationProblem> problems)
    {
        const string path = "spec.distillation.internal.layerPairs";
        var pairs = internalSpec.LayerPairs;
        if (internalSpec.LayerMapping == LayerMappingMode.Uniform)
        {
            if (pairs is { Count: > 0 })
            {
                problems.Add(new(path, "is only used with layerMapping: explicit"));
            }

            return;
        }

        if (pairs is null || pairs.Count == 0)
        {
            problems.Add(new(path, "is required with layerMapping: explicit; list pairs such as {student: 1, teacher: 2}"));
            return;
        }

        for (var i = 0; i < pairs.Count; i++)
        {
            var pair = pairs[i];
            if (studentLayers is { } m && pair.Student > m)
            {
                problems.Add(new($"{path}[{i}].student", $"must be at most the student's layer count ({m}), got {pair.Student}"));
            }

            if (teacherLayers is { } n && pair.Teacher > n)
            {
                problems.Add(new($"{path}[{i}].teacher", $"must be at most the teacher's layer count ({n}), got {pair.Teacher}"));
            }

            if (i > 0 && pair.Student <= pairs[i - 1].Student)
            {
                problems.Add(new($"{path}[{i}].student", $"must be greater than the previous pair's ({pairs[i - 1].Student}): pairs are strictly increasing, got {pair.Student}"));
            }

            if (i > 0 && pair.Teacher <= pairs[i - 1].Teacher)
            {
                problems.Add(new($"{path}[{i}].teacher", $"must be greater than the previous pair's ({pairs[i - 1].Teacher}): pairs are strictly increasing, got {pair.Teacher}"));
            }
        }
    }

    private static void ValidateLossWeights(DistillationSpec distillation, List<ValidationProblem> problems)
    {
        var classification = distillation.SoftLabelWeight + distillation.HardLabelWeight;
        switch (distillation.Strategy)
        {
            case DistillationStrategy.None when distillation.HardLabelWeight <= 0:
                problems.Add(new("spec.distillation.hardLabelWeight", "must be greater than 0 with strategy none, which learns from hard labels only"));
                break;
            case not DistillationStrategy.None when classification <= 0:
                problems.Add(new("spec.distillation.softLabelWeight", "softLabelWeight and hardLabelWeight are both 0, so the classification stage has no loss"));
                break;
        }

        if (distillation.Strategy is DistillationStrategy.AllLayers or DistillationStrategy.Progressive or DistillationStrategy.Stacked
            && distillation.Internal.Attention.Weight <= 0 && distillation.Internal.Hidden.Weight <= 0)
        {
            problems.Add(new("spec.distillation.internal", $"attention.weight and hidden.weight are both 0, so strategy {OpenApiSchemaBuilder.EnumNames(typeof(DistillationStrategy))[(int)distillation.Strategy]} has nothing to distill internally; use strategy soft or give a weight"));
        }
    }
}
