using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using DistillOperator.Api.Schema;

namespace DistillOperator.Api.V1Alpha1;

/// <summary>The desired distillation: teacher, student, data, method, training, resources and output.</summary>
public sealed class DistillationJobSpec
{
    /// <summary>The model to distill from: a trained checkpoint, optionally fine-tuned on the data first, or an architecture trained from scratch.</summary>
    [Required]
    [JsonPropertyName("teacher")]
    public TeacherSpec Teacher { get; set; } = new();

    /// <summary>The smaller model to train. Its architecture defaults to half the teacher's layers at the teacher's width.</summary>
    [JsonPropertyName("student")]
    public StudentSpec Student { get; set; } = new();

    /// <summary>Training and evaluation data and how to tokenize it.</summary>
    [Required]
    [JsonPropertyName("data")]
    public DataSpec Data { get; set; } = new();

    /// <summary>The distillation method: which losses, in which schedule.</summary>
    [JsonPropertyName("distillation")]
    public DistillationSpec Distillation { get; set; } = new();

    /// <summary>Optimizer, schedule, batch size, seed and checkpointing.</summary>
    [JsonPropertyName("training")]
    public TrainingSpec Training { get; set; } = new();

    /// <summary>Compute resources and placement of the trainer pod.</summary>
    [JsonPropertyName("resources")]
    public ResourcesSpec Resources { get; set; } = new();

    /// <summary>Retries, deadlines, clean-up, suspension and queueing of the run.</summary>
    [JsonPropertyName("runPolicy")]
    public RunPolicy RunPolicy { get; set; } = new();

    /// <summary>Minimum quality the student must reach to be promoted; when it does not, the job ends Failed with reason QualityTargetNotMet and the promoted student stays as it was.</summary>
    [JsonPropertyName("qualityGate")]
    public QualityGate? QualityGate { get; set; }

    /// <summary>Where each run's student is written (a version folder of its own) and where the promoted one is found (current).</summary>
    [Required]
    [JsonPropertyName("output")]
    public OutputSpec Output { get; set; } = new();
}

/// <summary>
/// Where the students are written. Each run exports into OUTPUT/versions/VERSION (never into another run's folder);
/// a student that passed the quality gate is promoted: OUTPUT/current (a symbolic link) and OUTPUT/current.json name
/// it, switched atomically. A serving system reads OUTPUT/current.
/// </summary>
public sealed class OutputSpec
{
    /// <summary>Output location: <c>pvc://CLAIM/PATH</c> in a cluster, <c>file:///PATH</c> or a relative path for local runs.</summary>
    [Required]
    [MinLength(1)]
    [JsonPropertyName("uri")]
    public string Uri { get; set; } = "";

    /// <summary>
    /// Version folders kept under versions/ after a run (the newest; the promoted one is kept besides), and checkpoint
    /// folders of as many specs. Older ones are removed when a run ends.
    /// </summary>
    [Range(1, 1000)]
    [JsonPropertyName("keepVersions")]
    public int KeepVersions { get; set; } = 5;
}
