using static TorchSharp.torch;

namespace DistillOperator.Training.Distillation;

/// <summary>What the teacher computed for one training batch: logits, [CLS] states and attention log-probabilities by layer.</summary>
public sealed record TeacherBatch(Tensor Logits, IReadOnlyDictionary<int, Tensor> ClsStates, IReadOnlyDictionary<int, Tensor> AttentionLogProbs);
