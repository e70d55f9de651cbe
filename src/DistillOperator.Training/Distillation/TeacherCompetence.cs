using System.Globalization;
using DistillOperator.Training.Data;
using DistillOperator.Training.Evaluation;
using DistillOperator.Training.Models;

namespace DistillOperator.Training.Distillation;

/// <summary>
/// Stops a run whose teacher learned nothing before any distillation: a teacher no better than always predicting the
/// majority class has nothing to teach, and a student distilled from it would only copy noise (and could still pass a
/// loose gate). Checked once the teacher is final (after fine-tuning, or as given), on the validation data, or on up to
/// <see cref="TrainingSample"/> training examples for a job without any.
/// </summary>
public static class TeacherCompetence
{
    /// <summary>Training examples the teacher is checked on when the job has no validation data.</summary>
    public const int TrainingSample = 1000;

    /// <summary>Throws <see cref="TeacherNotLearnedException"/> when the teacher's accuracy is at most the majority share.</summary>
    public static void Check(BertClassifier teacher, IReadOnlyList<EncodedExample>? validation, IReadOnlyList<EncodedExample> train, int padId, int batchSize, CancellationToken cancellation)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(train);
        var (examples, where) = validation is { Count: > 0 }
            ? (validation, "validation")
            : ((IReadOnlyList<EncodedExample>)[.. train.Take(TrainingSample)], "training");
        if (examples.Count == 0)
        {
            return;
        }

        var (metrics, _) = ModelEvaluator.Evaluate(teacher, examples, padId, batchSize, cancellation);
        var majority = examples.GroupBy(e => e.Label).OrderByDescending(g => g.Count()).ThenBy(g => g.Key).First();
        var share = majority.Count() / (double)examples.Count;
        if (metrics.Accuracy <= share)
        {
            var labels = teacher.Config.LabelNames;
            var name = labels is not null && majority.Key < labels.Count ? $"\"{labels[majority.Key]}\"" : majority.Key.ToString(CultureInfo.InvariantCulture);
            throw new TeacherNotLearnedException(string.Create(CultureInfo.InvariantCulture,
                $"the teacher learned nothing to distil: its {where} accuracy {metrics.Accuracy:0.####} (Matthews correlation {metrics.MatthewsCorrelation:0.####}, {examples.Count} examples) is no better than always predicting the majority class {name} ({share:0.####}). Try a pretrained teacher (spec.teacher.model), more fine-tuning (spec.teacher.finetune.epochs) or another learning rate (spec.teacher.finetune.learningRate), and check that spec.data.train.labelField names the labels of the texts"));
        }
    }
}

/// <summary>The teacher is no better than the majority class; the run stops before distillation (trainer exit code 3).</summary>
public sealed class TeacherNotLearnedException(string message) : Exception(message);
