using System.Security.Cryptography;
using System.Text.Json.Nodes;
using DistillOperator.Training.Data;
using DistillOperator.Training.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace DistillOperator.Training.Distillation;

/// <summary>
/// The teacher's outputs on the (fixed) training batches, computed once and reused across epochs and stages: logits
/// always, and the [CLS] states and attention log-probabilities of the layers the stages use while they fit the memory
/// budget ([CLS] states first, then attention); a stage that needs what did not fit runs the teacher for it. With a
/// folder, entries are also written to disk under a key that hashes the teacher's weights, the batches and the
/// layers, so another job with the same teacher and data reuses them.
/// </summary>
public sealed class TeacherOutputCache : ITeacherOutputs, IDisposable
{
    private const string CompleteMarker = "complete.json";

    private readonly BertClassifier _teacher;
    private readonly Device _device;
    private readonly IReadOnlySet<int> _attentionLayers;
    private readonly IReadOnlySet<int> _clsLayers;
    private readonly Dictionary<int, TeacherBatch> _entries = [];
    private readonly string? _folder;
    private readonly int _batchCount;
    private readonly bool _onDisk;

    /// <summary>Plans the cache of what <paramref name="stages"/> need from the teacher on <paramref name="batches"/> of <paramref name="examples"/>.</summary>
    public TeacherOutputCache(BertClassifier teacher, IReadOnlyList<EncodedExample> examples, IReadOnlyList<int[]> batches, IReadOnlyList<TrainingStage> stages, long budgetBytes, string? cacheRoot)
    {
        ArgumentNullException.ThrowIfNull(teacher);
        ArgumentNullException.ThrowIfNull(examples);
        ArgumentNullException.ThrowIfNull(batches);
        ArgumentNullException.ThrowIfNull(stages);
        _teacher = teacher;
        _device = teacher.Device;
        _batchCount = batches.Count;
        var studentStages = stages.Where(s => s.Kind != StageKind.TeacherFinetune).ToList();
        var clsLayers = studentStages.SelectMany(s => s.TeacherClsLayers).ToHashSet();
        var attentionLayers = studentStages.SelectMany(s => s.TeacherAttentionLayers).ToHashSet();
        long exampleCount = batches.Sum(b => b.Length);
        ClsBytes = exampleCount * teacher.Config.HiddenSize * sizeof(float) * clsLayers.Count;
        AttentionBytes = batches.Sum(b => (long)b.Length * teacher.Config.Heads * Square(b.Max(i => examples[i].Ids.Length)) * sizeof(float) * attentionLayers.Count);
        CachesClsStates = ClsBytes <= budgetBytes;
        CachesAttention = AttentionBytes <= budgetBytes - (CachesClsStates ? ClsBytes : 0);
        _clsLayers = CachesClsStates ? clsLayers : new HashSet<int>();
        _attentionLayers = CachesAttention ? attentionLayers : new HashSet<int>();
        if (cacheRoot is not null)
        {
            Key = KeyOf(teacher, examples, batches, _attentionLayers, _clsLayers);
            _folder = Path.Combine(cacheRoot, Key);
            _onDisk = File.Exists(Path.Combine(_folder, CompleteMarker));
        }
    }

    /// <inheritdoc />
    public long ExamplesForwarded { get; private set; }

    /// <summary>Bytes the attention maps of the layers the stages use take for all batches.</summary>
    public long AttentionBytes { get; }

    /// <summary>Bytes the [CLS] states of the layers the stages use take for all batches.</summary>
    public long ClsBytes { get; }

    /// <summary>True when the attention maps fit the budget (beside the [CLS] states) and are cached.</summary>
    public bool CachesAttention { get; }

    /// <summary>True when the [CLS] states fit the budget and are cached.</summary>
    public bool CachesClsStates { get; }

    /// <summary>The key of the cache on disk (a hash of teacher weights, batches and layers), when it has a folder.</summary>
    public string? Key { get; }

    /// <summary>True when the outputs were found on disk, written by an earlier job.</summary>
    public bool ReusedFromDisk => _onDisk;

    /// <inheritdoc />
    public TeacherBatch For(int batchIndex, Batch batch, TrainingStage stage)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ArgumentNullException.ThrowIfNull(stage);
        if (!_entries.TryGetValue(batchIndex, out var entry))
        {
            entry = _onDisk ? Load(batchIndex) : Compute(batchIndex, batch);
            _entries[batchIndex] = entry;
            if (!_onDisk && _folder is not null && _entries.Count == _batchCount)
            {
                AtomicFile.WriteAllText(Path.Combine(_folder, CompleteMarker), new JsonObject { ["batches"] = _batchCount }.ToJsonString());
            }
        }

        var attentionCached = stage.TeacherAttentionLayers.IsSubsetOf(entry.AttentionLogProbs.Keys);
        var clsCached = stage.TeacherClsLayers.IsSubsetOf(entry.ClsStates.Keys);
        if (attentionCached && clsCached)
        {
            return OnTeachersDevice(entry);
        }

        // What did not fit the budget: run the teacher for it, keep the cached logits.
        var live = LiveTeacherOutputs.Run(_teacher, batch, stage.TeacherAttentionLayers, stage.TeacherClsLayers, () => ExamplesForwarded += batch.Size);
        return new TeacherBatch(OnTeachersDevice(entry.Logits), live.ClsStates, live.AttentionLogProbs);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        foreach (var entry in _entries.Values)
        {
            entry.Logits.Dispose();
            foreach (var t in entry.ClsStates.Values.Concat(entry.AttentionLogProbs.Values))
            {
                t.Dispose();
            }
        }

        _entries.Clear();
    }

    private TeacherBatch Compute(int batchIndex, Batch batch)
    {
        var live = LiveTeacherOutputs.Run(_teacher, batch, _attentionLayers, _clsLayers, () => ExamplesForwarded += batch.Size);
        var entry = new TeacherBatch(
            Keep(live.Logits),
            live.ClsStates.ToDictionary(p => p.Key, p => Keep(p.Value)),
            live.AttentionLogProbs.ToDictionary(p => p.Key, p => Keep(p.Value)));
        if (_folder is not null)
        {
            var tensors = new Dictionary<string, Tensor> { ["logits"] = entry.Logits };
            foreach (var (layer, cls) in entry.ClsStates)
            {
                tensors[$"cls.{layer}"] = cls;
            }

            foreach (var (layer, attention) in entry.AttentionLogProbs)
            {
                tensors[$"attention.{layer}"] = attention;
            }

            SafeTensorsFile.Write(BatchFile(batchIndex), tensors);
        }

        return entry;
    }

    private TeacherBatch Load(int batchIndex)
    {
        var tensors = SafeTensorsFile.Read(BatchFile(batchIndex));
        int Layer(string name) => int.Parse(name[(name.IndexOf('.', StringComparison.Ordinal) + 1)..], System.Globalization.CultureInfo.InvariantCulture);
        return new TeacherBatch(
            Keep(tensors["logits"]),
            tensors.Where(p => p.Key.StartsWith("cls.", StringComparison.Ordinal)).ToDictionary(p => Layer(p.Key), p => Keep(p.Value)),
            tensors.Where(p => p.Key.StartsWith("attention.", StringComparison.Ordinal)).ToDictionary(p => Layer(p.Key), p => Keep(p.Value)));
    }

    private string BatchFile(int batchIndex) => Path.Combine(_folder!, $"batch-{batchIndex:D6}.safetensors");

    // Cached tensors live in host memory (a GPU's is better spent on the models) and outlive the step's dispose scope.
    private static Tensor Keep(Tensor tensor) =>
        (tensor.device_type == DeviceType.CPU ? tensor.clone() : tensor.cpu()).DetachFromDisposeScope();

    // On a GPU, a cached entry is copied to it for the step (the copies belong to the step's dispose scope).
    private TeacherBatch OnTeachersDevice(TeacherBatch entry) =>
        _device.type == DeviceType.CPU
            ? entry
            : new TeacherBatch(OnTeachersDevice(entry.Logits), entry.ClsStates.ToDictionary(p => p.Key, p => OnTeachersDevice(p.Value)), entry.AttentionLogProbs.ToDictionary(p => p.Key, p => OnTeachersDevice(p.Value)));

    private Tensor OnTeachersDevice(Tensor tensor) => _device.type == DeviceType.CPU ? tensor : tensor.to(_device);

    private static long Square(long x) => x * x;

    private static string KeyOf(BertClassifier teacher, IReadOnlyList<EncodedExample> examples, IReadOnlyList<int[]> batches, IReadOnlySet<int> attentionLayers, IReadOnlySet<int> clsLayers)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, tensor) in teacher.state_dict().OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            hash.AppendData(System.Text.Encoding.UTF8.GetBytes(name));
            using var cpu = tensor.detach().cpu().contiguous();
            hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(cpu.data<float>().ToArray().AsSpan()));
        }

        foreach (var batch in batches)
        {
            foreach (var index in batch)
            {
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(examples[index].Ids.AsSpan()));
                hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(examples[index].TypeIds.AsSpan()));
            }

            hash.AppendData([0xFF]);
        }

        hash.AppendData(System.Text.Encoding.UTF8.GetBytes($"attention:{string.Join(',', attentionLayers.Order())};cls:{string.Join(',', clsLayers.Order())}"));
        return Convert.ToHexStringLower(hash.GetHashAndReset())[..24];
    }
}
