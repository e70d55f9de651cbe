using System.Globalization;
using DistillOperator.Training.Distillation;
using Spectre.Console;

namespace DistillOperator.Cli.Commands;

/// <summary>One progress bar per stage, with the stage's loss terms and the time left.</summary>
internal sealed class StageProgressBars(ProgressContext context, IAnsiConsole console) : ITrainingProgress
{
    private ProgressTask? _current;

    public void StageStarted(StageProgress stage)
    {
        _current?.StopTask();
        _current = context.AddTask(Markup.Escape($"{stage.Index}/{stage.Count} {stage.Stage.Name}"), maxValue: Math.Max(1, stage.Steps));
    }

    public void StepCompleted(StepProgress step)
    {
        if (_current is null)
        {
            return;
        }

        _current.Increment(1);
        var losses = string.Join(" ", step.Losses.Select(l => string.Create(CultureInfo.InvariantCulture, $"{l.Key} {l.Value:F3}")));
        _current.Description = Markup.Escape($"{step.StageIndex}/{step.StageCount} {step.Stage} ep {step.Epoch}  {losses}");
    }

    public void Evaluated(EvaluationProgress evaluation) =>
        console.MarkupLine(Markup.Escape(string.Create(CultureInfo.InvariantCulture, $"  {evaluation.Stage}: {evaluation.Model} accuracy {evaluation.Metrics.Accuracy:P2} at step {evaluation.Step}")));

    public void CheckpointWritten(string path, long step)
    {
    }

    public void Warning(string message) => console.MarkupLine("[yellow]warning:[/] " + Markup.Escape(message));
}
