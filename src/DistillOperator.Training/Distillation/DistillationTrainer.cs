using DistillOperator.Api.V1Alpha1;
using DistillOperator.Training.Checkpoints;
using DistillOperator.Training.Data;
using DistillOperator.Training.Evaluation;
using DistillOperator.Training.Models;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace DistillOperator.Training.Distillation;

/// <summary>
/// Runs the stages of a distillation: AdamW with linear warm-up and decay (fresh at each stage), gradient clipping,
/// evaluation, checkpoints, and resumption from the newest valid checkpoint. The teacher is frozen in evaluation mode
/// except while it is fine-tuned. Cancellation checkpoints the current position and then throws.
/// </summary>
public sealed class DistillationTrainer
{
    private const string StudentFile = "student.safetensors";
    private const string TeacherFile = "teacher.safetensors";
    private const string ProjectionsFile = "projections.safetensors";
    private const string OptimizerFile = "optimizer.bin";
    private const string RandomStateFile = "rng.bin";

    private readonly TrainerSetup _setup;
    private readonly DistillationJobSpec _spec;
    private readonly IReadOnlyList<TrainingStage> _stages;
    private readonly ModuleList<Linear> _projections;
    private readonly Dictionary<int, int> _projectionOf;
    private readonly List<int[]> _batches;
    private readonly int _batchesPerEpoch;
    private readonly long _totalSteps;
    private readonly Device _device;
    private StoredCheckpoint? _resumed;

    // The teacher file of the newest checkpoint written or resumed after fine-tuning ended: the teacher no longer
    // changes, so later checkpoints link this file instead of writing the teacher again (440 MB for BERT-base).
    private string? _finalTeacherFile;
    private ITeacherOutputs? _teacherOutputs;
    private BestStudent? _best;

    /// <summary>Plans the run.</summary>
    public DistillationTrainer(TrainerSetup setup)
    {
        ArgumentNullException.ThrowIfNull(setup);
        _setup = setup;
        _spec = setup.Spec;
        Mapping = LayerMapping.For(_spec.Distillation.Internal, setup.Student.Config.Layers, setup.Teacher.Config.Layers);
        _stages = StagePlan.For(_spec, Mapping);
        _batches = BatchPlanner.Training(setup.Train, _spec.Training.BatchSize, _spec.Training.LengthBucketing, _spec.Training.Seed);
        _batchesPerEpoch = _batches.Count;
        _totalSteps = _stages.Sum(s => (long)s.Epochs * _batchesPerEpoch);
        // A learned projection per matched pair carries the student's [CLS] into the teacher's width for the MSE loss.
        _projections = _spec.Distillation.Internal.Hidden.Loss == HiddenLossKind.Mse
            ? nn.ModuleList<Linear>([.. Mapping.Pairs.Select(_ => nn.Linear(setup.Student.Config.HiddenSize, setup.Teacher.Config.HiddenSize))])
            : nn.ModuleList<Linear>();
        _projectionOf = Mapping.Pairs.Select((p, i) => (p.Student, i)).ToDictionary(p => p.Student, p => p.i);
        _device = setup.Student.Device;
        if (setup.Teacher.Device.type != _device.type || setup.Teacher.Device.index != _device.index)
        {
            throw new ArgumentException($"the teacher is on {setup.Teacher.Device} and the student on {_device}: both must be on one device", nameof(setup));
        }

        _projections.to(_device);
    }

    /// <summary>The layer mapping of the run.</summary>
    public LayerMapping Mapping { get; }

    /// <summary>The stages of the run.</summary>
    public IReadOnlyList<TrainingStage> Stages => _stages;

    /// <summary>Examples the frozen teacher has run a forward pass on for the student stages (fine-tuning excluded).</summary>
    public long TeacherExamplesForwarded => _teacherOutputs?.ExamplesForwarded ?? 0;

    /// <summary>The teacher cache of the run, once the student stages have started with the cache on.</summary>
    public TeacherOutputCache? TeacherCache => _teacherOutputs as TeacherOutputCache;

    /// <summary>Optimizer steps the whole run takes.</summary>
    public long TotalSteps => _totalSteps;

    /// <summary>Trains, resuming from the newest valid checkpoint if there is one, and evaluates both models at the end.</summary>
    public TrainingOutcome Run(CancellationToken cancellation = default)
    {
        var teacher = _setup.Teacher;
        var student = _setup.Student;
        if (teacher.Config.Heads != student.Config.Heads && _stages.Any(s => s.Losses.Attention > 0))
        {
            _setup.Progress.Warning($"the teacher has {teacher.Config.Heads} attention heads and the student {student.Config.Heads}: the attention loss compares head-averaged maps, since no head of one model corresponds to a head of the other");
        }

        Freeze(teacher);
        torch.manual_seed(_spec.Training.Seed);
        using var best = _spec.Training.KeepBest == true ? new BestStudent() : null;
        _best = best;
        var position = Resume() ?? TrainingPosition.Start;
        var resumedFrom = position == TrainingPosition.Start ? (long?)null : position.GlobalStep;
        if (best is not null && resumedFrom is not null && FinalStageEvaluatedAt(position))
        {
            // The evaluation that followed this checkpoint may not have happened before the stop: it is made up for.
            Evaluate(_stages[^1], student, position.GlobalStep, cancellation);
        }

        for (var stageIndex = position.Stage; stageIndex < _stages.Count; stageIndex++)
        {
            var stage = _stages[stageIndex];
            var stageStart = position.Stage == stageIndex ? position : new TrainingPosition(stageIndex, 0, 0, position.GlobalStep, 0);
            position = RunStage(stage, stageIndex, stageStart, cancellation);
        }

        (_teacherOutputs as IDisposable)?.Dispose();
        teacher.eval();
        student.eval();
        if (best?.Step is { } bestStep && bestStep != position.GlobalStep)
        {
            best.LoadInto(student);
        }
        else if (best is { Step: null } && _setup.Validation is { Count: > 0 })
        {
            _setup.Progress.Warning($"spec.training.keepBest: no evaluation fell in the final stage (evalEverySteps {_spec.Training.EvalEverySteps}); the last student is exported");
        }

        if (_setup.Validation is not { Count: > 0 } validation)
        {
            return new TrainingOutcome(null, null, null, position.GlobalStep, resumedFrom) { SelectedStep = best?.Step };
        }

        var (teacherMetrics, teacherPredictions) = ModelEvaluator.Evaluate(teacher, validation, _setup.PadId, _spec.Training.BatchSize, cancellation);
        var (studentMetrics, studentPredictions) = ModelEvaluator.Evaluate(student, validation, _setup.PadId, _spec.Training.BatchSize, cancellation);
        return new TrainingOutcome(teacherMetrics, studentMetrics, ClassificationMetrics.Agreement(studentPredictions, teacherPredictions), position.GlobalStep, resumedFrom) { SelectedStep = best?.Step };
    }

    private TrainingPosition RunStage(TrainingStage stage, int stageIndex, TrainingPosition start, CancellationToken cancellation)
    {
        var teacher = _setup.Teacher;
        var student = _setup.Student;
        var trained = stage.Kind == StageKind.TeacherFinetune ? teacher : student;
        var stageSteps = (long)stage.Epochs * _batchesPerEpoch;
        var firstStudentStage = stageIndex == _stages.Count(s => s.Kind == StageKind.TeacherFinetune);
        if (stage.Kind != StageKind.TeacherFinetune && !start.IsMidStage && firstStudentStage)
        {
            _setup.TeacherReady?.Invoke(teacher); // before the stage is announced: it may stop the run
        }

        _setup.Progress.StageStarted(new StageProgress(stage, stageIndex + 1, _stages.Count, stageSteps));
        if (stage.Kind == StageKind.TeacherFinetune)
        {
            Unfreeze(teacher);
        }
        else
        {
            if (!start.IsMidStage && firstStudentStage)
            {
                _setup.InitializeStudent?.Invoke(teacher, student);
            }

            // The teacher is final from here on, so its outputs can be cached.
            _teacherOutputs ??= _spec.Distillation.TeacherCache
                ? new TeacherOutputCache(teacher, _setup.Train, _batches, _stages, _spec.Distillation.TeacherCacheMemoryMiB * (1L << 20), _setup.TeacherCacheFolder)
                : new LiveTeacherOutputs(teacher);
        }

        trained.train();
        var parameters = TrainableParameters(stage, trained);
        using var optimizer = CreateOptimizer(parameters, stage.LearningRate);
        if (start.IsMidStage && _resumed is { } stored && stored.Position == start)
        {
            using var reader = new BinaryReader(File.OpenRead(stored.File(OptimizerFile)));
            optimizer.load_state_dict(reader);
        }

        var warmup = (long)Math.Round(_spec.Training.WarmupRatio * stageSteps);
        var position = start;
        for (var epoch = start.Epoch; epoch < stage.Epochs; epoch++)
        {
            var order = BatchPlanner.EpochOrder(_batches.Count, _spec.Training.Seed, stageIndex, epoch);
            for (var b = epoch == start.Epoch ? start.Batch : 0; b < order.Length; b++)
            {
                if (cancellation.IsCancellationRequested)
                {
                    SaveCheckpoint(position, optimizer);
                    cancellation.ThrowIfCancellationRequested();
                }

                var learningRate = LearningRate(stage.LearningRate, position.StageStep + 1, warmup, stageSteps);
                foreach (var group in optimizer.ParamGroups)
                {
                    group.LearningRate = learningRate;
                }

                var losses = Step(stage, order[b], optimizer, parameters);
                position = new TrainingPosition(stageIndex, epoch, b + 1, position.GlobalStep + 1, position.StageStep + 1);
                _setup.Progress.StepCompleted(new StepProgress(stage.Name, stageIndex + 1, _stages.Count, epoch + 1, position.GlobalStep, _totalSteps, losses, learningRate));
                if (_spec.Training.CheckpointEverySteps > 0 && position.GlobalStep % _spec.Training.CheckpointEverySteps == 0 && b + 1 < order.Length)
                {
                    SaveCheckpoint(position, optimizer);
                }

                if (_spec.Training.EvalEverySteps > 0 && position.GlobalStep % _spec.Training.EvalEverySteps == 0)
                {
                    try
                    {
                        Evaluate(stage, trained, position.GlobalStep, cancellation);
                    }
                    catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
                    {
                        // A stop while evaluating keeps the steps trained since the last checkpoint.
                        SaveCheckpoint(position, optimizer);
                        throw;
                    }
                }
            }

            position = new TrainingPosition(stageIndex, epoch + 1, 0, position.GlobalStep, position.StageStep);
            var lastEpoch = epoch + 1 == stage.Epochs;
            if (lastEpoch && stage.Kind == StageKind.TeacherFinetune)
            {
                Freeze(teacher);
            }

            // The checkpoint comes before the evaluation, so a stop signalled while evaluating loses no training.
            SaveCheckpoint(lastEpoch ? new TrainingPosition(stageIndex + 1, 0, 0, position.GlobalStep, 0) : position, lastEpoch ? null : optimizer);
            if (_spec.Training.EvalEverySteps == 0)
            {
                Evaluate(stage, trained, position.GlobalStep, cancellation);
            }
        }

        return new TrainingPosition(stageIndex + 1, 0, 0, position.GlobalStep, 0);
    }

    private Dictionary<string, double> Step(TrainingStage stage, int batchIndex, AdamW optimizer, IReadOnlyList<Parameter> parameters)
    {
        using var scope = NewDisposeScope();
        using var batch = Batch.Collate(_setup.Train, _batches[batchIndex], _setup.PadId, _device);
        var terms = new Dictionary<string, Tensor>();
        var weights = stage.Losses;
        if (stage.Kind == StageKind.TeacherFinetune)
        {
            var outputs = _setup.Teacher.Forward(batch.Ids, batch.Mask, batch.Types, ForwardRequest.LogitsOnly);
            terms["hard"] = DistillationLosses.HardLabel(outputs.Logits, batch.Labels);
        }
        else
        {
            // A stage on the labels alone (the none baseline) needs nothing from the teacher: it is not run.
            var teacherOutputs = weights.Soft > 0 || weights.Attention > 0 || weights.Hidden > 0 ? _teacherOutputs!.For(batchIndex, batch, stage) : null;

            var studentOutputs = _setup.Student.Forward(batch.Ids, batch.Mask, batch.Types, new ForwardRequest(stage.StudentAttentionLayers));
            if (weights.Hard > 0)
            {
                terms["hard"] = DistillationLosses.HardLabel(studentOutputs.Logits, batch.Labels);
            }

            if (weights.Soft > 0)
            {
                terms["soft"] = DistillationLosses.SoftLabel(studentOutputs.Logits, teacherOutputs!.Logits, _spec.Distillation.Temperature);
            }

            if (weights.Attention > 0)
            {
                terms["attention"] = Sum(stage.Pairs.Select(p =>
                    DistillationLosses.AttentionKl(teacherOutputs!.AttentionLogProbs[p.Teacher], studentOutputs.AttentionLogProbs[p.Student]!, batch.Mask)));
            }

            if (weights.Hidden > 0)
            {
                terms["hidden"] = Sum(stage.Pairs.Select(p => _projections.Count > 0
                    ? DistillationLosses.ClsMse(_projections[_projectionOf[p.Student]].call(studentOutputs.ClsStates[p.Student]), teacherOutputs!.ClsStates[p.Teacher])
                    : DistillationLosses.ClsCosine(studentOutputs.ClsStates[p.Student], teacherOutputs!.ClsStates[p.Teacher])));
            }
        }

        var weightOf = new Dictionary<string, double> { ["hard"] = weights.Hard, ["soft"] = weights.Soft, ["attention"] = weights.Attention, ["hidden"] = weights.Hidden };
        var total = Sum(terms.Select(t => t.Value.mul(weightOf[t.Key])));
        optimizer.zero_grad();
        total.backward();
        if (_spec.Training.MaxGradNorm > 0)
        {
            nn.utils.clip_grad_norm_(parameters, _spec.Training.MaxGradNorm);
        }

        optimizer.step();
        return terms.ToDictionary(t => t.Key, t => (double)t.Value.item<float>());
    }

    private static Tensor Sum(IEnumerable<Tensor> terms) => terms.Aggregate((a, b) => a.add(b));

    private List<Parameter> TrainableParameters(TrainingStage stage, BertClassifier trained)
    {
        var parameters = trained.parameters().ToList();
        if (stage.Kind != StageKind.TeacherFinetune && _spec.Student.FreezeEmbeddings)
        {
            // Without a gradient the backward pass skips the dense [vocabulary × width] table, and AdamW its update.
            var frozen = trained.EmbeddingTables.ToList();
            foreach (var table in frozen)
            {
                table.requires_grad = false;
            }

            parameters.RemoveAll(p => frozen.Any(f => ReferenceEquals(f, p) || f.Handle == p.Handle));
        }

        if (stage.Kind == StageKind.Internal)
        {
            parameters.AddRange(_projections.parameters());
        }

        return parameters;
    }

    private AdamW CreateOptimizer(IReadOnlyList<Parameter> parameters, double learningRate)
    {
        // No weight decay on biases and LayerNorm parameters, as in BERT; both are one-dimensional.
        var decayed = parameters.Where(p => p.dim() > 1).ToList();
        var plain = parameters.Where(p => p.dim() <= 1).ToList();
        return optim.AdamW(
            [
                new AdamW.ParamGroup(decayed, learningRate, 0.9, 0.999, 1e-6, _spec.Training.WeightDecay, false, false),
                new AdamW.ParamGroup(plain, learningRate, 0.9, 0.999, 1e-6, 0.0, false, false),
            ],
            learningRate);
    }

    /// <summary>Linear warm-up over <paramref name="warmup"/> steps, then linear decay to 0 at <paramref name="total"/>.</summary>
    public static double LearningRate(double peak, long step, long warmup, long total)
    {
        if (warmup > 0 && step <= warmup)
        {
            return peak * step / warmup;
        }

        return total <= warmup ? peak : peak * Math.Max(0.0, (double)(total - step) / (total - warmup));
    }

    private void Evaluate(TrainingStage stage, BertClassifier trained, long step, CancellationToken cancellation)
    {
        if (_setup.Validation is not { Count: > 0 } validation)
        {
            return;
        }

        var (metrics, _) = ModelEvaluator.Evaluate(trained, validation, _setup.PadId, _spec.Training.BatchSize, cancellation);
        _setup.Progress.Evaluated(new EvaluationProgress(stage.Name, step, stage.Kind == StageKind.TeacherFinetune ? "teacher" : "student", metrics));
        if (_best is not null && ReferenceEquals(stage, _stages[^1]) && stage.Kind != StageKind.TeacherFinetune)
        {
            _best.Offer(step, metrics.Accuracy, trained);
        }
    }

    // Whether an uninterrupted run evaluates the final stage's student at this position: every evalEverySteps steps
    // inside the final stage, or at the end of each of its epochs.
    private bool FinalStageEvaluatedAt(TrainingPosition position)
    {
        var final = _stages.Count - 1;
        var inFinalStage = (position.Stage == final && position.StageStep > 0) || position.Stage == final + 1;
        if (!inFinalStage || _stages[final].Kind == StageKind.TeacherFinetune)
        {
            return false;
        }

        return _spec.Training.EvalEverySteps > 0
            ? position.GlobalStep % _spec.Training.EvalEverySteps == 0
            : position.Stage == final + 1 || position.Batch == 0;
    }

    private static void Freeze(BertClassifier model)
    {
        model.eval();
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = false;
        }
    }

    private static void Unfreeze(BertClassifier model)
    {
        foreach (var parameter in model.parameters())
        {
            parameter.requires_grad = true;
        }
    }

    private void SaveCheckpoint(TrainingPosition position, AdamW? optimizer)
    {
        if (_setup.Checkpoints is not { } store)
        {
            return;
        }

        var finetunesTeacher = _stages.Any(s => s.Kind == StageKind.TeacherFinetune);
        var teacherFinal = TeacherIsFinal(position);
        var path = store.Save(position, folder =>
        {
            SafeTensorsFile.Write(folder.File(StudentFile), _setup.Student.state_dict());
            if (finetunesTeacher)
            {
                folder.LinkOrWrite(teacherFinal ? _finalTeacherFile : null, TeacherFile, file => SafeTensorsFile.Write(file, _setup.Teacher.state_dict()));
            }

            if (_projections.Count > 0)
            {
                SafeTensorsFile.Write(folder.File(ProjectionsFile), _projections.state_dict());
            }

            _best?.SaveInto(folder);

            if (optimizer is not null)
            {
                using var writer = new BinaryWriter(File.Create(folder.File(OptimizerFile)));
                optimizer.save_state_dict(writer);
            }

            using var random = torch.get_rng_state();
            File.WriteAllBytes(folder.File(RandomStateFile), random.data<byte>().ToArray());
        });
        _finalTeacherFile = finetunesTeacher && teacherFinal ? Path.Combine(path, TeacherFile) : null;
        _best?.SavedIn(path);
        _setup.Progress.CheckpointWritten(path, position.GlobalStep);
    }

    // Fine-tuning stages come first: from the first stage after them on, the teacher is frozen.
    private bool TeacherIsFinal(TrainingPosition position) => position.Stage >= _stages.Count(s => s.Kind == StageKind.TeacherFinetune);

    private TrainingPosition? Resume()
    {
        if (_setup.Checkpoints?.Latest(_setup.Progress.Warning) is not { } stored)
        {
            return null;
        }

        var files = new List<(nn.Module Module, string File)> { (_setup.Student, StudentFile) };
        if (File.Exists(stored.File(TeacherFile)))
        {
            files.Add((_setup.Teacher, TeacherFile));
        }

        if (_projections.Count > 0 && File.Exists(stored.File(ProjectionsFile)))
        {
            files.Add((_projections, ProjectionsFile));
        }

        var read = files.Select(f => (f.Module, f.File, Tensors: SafeTensorsFile.Read(stored.File(f.File)))).ToList();
        try
        {
            // Everything is checked before anything is loaded, so a checkpoint that does not fit leaves the models as they were.
            var mismatch = read.SelectMany(r => Mismatches(r.Module, r.Tensors).Select(problem => $"{r.File}: {problem}")).FirstOrDefault();
            if (mismatch is not null)
            {
                _setup.Progress.Warning($"{stored.Folder}: does not fit this run's models ({mismatch}); training starts from the beginning");
                return null;
            }

            using var noGrad = no_grad();
            foreach (var (module, _, tensors) in read)
            {
                foreach (var (name, target) in module.state_dict())
                {
                    target.copy_(tensors[name]);
                }
            }
        }
        finally
        {
            foreach (var tensor in read.SelectMany(r => r.Tensors.Values))
            {
                tensor.Dispose();
            }
        }

        _resumed = stored;
        _best?.LoadFrom(stored);
        _finalTeacherFile = File.Exists(stored.File(TeacherFile)) && TeacherIsFinal(stored.Position) ? stored.File(TeacherFile) : null;
        using var random = torch.tensor(File.ReadAllBytes(stored.File(RandomStateFile)));
        torch.set_rng_state(random);
        return stored.Position;
    }

    private static IEnumerable<string> Mismatches(nn.Module module, IReadOnlyDictionary<string, Tensor> stored)
    {
        foreach (var (name, target) in module.state_dict())
        {
            if (!stored.TryGetValue(name, out var tensor))
            {
                yield return $"no tensor {name}";
            }
            else if (!tensor.shape.SequenceEqual(target.shape))
            {
                yield return $"{name} is [{string.Join(", ", tensor.shape)}], the model's is [{string.Join(", ", target.shape)}]";
            }
        }
    }
}
