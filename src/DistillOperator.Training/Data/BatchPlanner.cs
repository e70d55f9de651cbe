namespace DistillOperator.Training.Data;

/// <summary>
/// Decides which examples go into which batch. The order depends only on the seed, so a resumed run sees the same
/// batches. With length bucketing, examples of similar length share a batch, so less padding is computed.
/// </summary>
public static class BatchPlanner
{
    // Examples are sorted by length within windows of this many batches: long enough to bucket well, short enough to
    // keep batches varied.
    private const int BucketWindowBatches = 50;

    /// <summary>
    /// The training batches of a run, formed once: every epoch and stage trains on the same batches in a new order
    /// (<see cref="EpochOrder"/>). Fixed batches let the teacher cache reproduce exactly what the teacher computes on
    /// them, since a model's numbers depend slightly on which examples share a batch.
    /// </summary>
    public static List<int[]> Training(IReadOnlyList<EncodedExample> examples, int batchSize, bool bucketing, int seed)
    {
        ArgumentNullException.ThrowIfNull(examples);
        var random = new Random(seed);
        var order = Enumerable.Range(0, examples.Count).ToArray();
        random.Shuffle(order);
        var batches = new List<int[]>();
        var window = bucketing ? batchSize * BucketWindowBatches : Math.Max(1, order.Length);
        for (var start = 0; start < order.Length; start += window)
        {
            var chunk = order.Skip(start).Take(window);
            if (bucketing)
            {
                chunk = chunk.OrderBy(i => examples[i].Ids.Length);
            }

            batches.AddRange(chunk.Chunk(batchSize));
        }

        return batches;
    }

    /// <summary>The order in which an epoch visits the batches: a permutation that depends only on the seeds.</summary>
    public static int[] EpochOrder(int batchCount, int seed, int stage, int epoch)
    {
        var order = Enumerable.Range(0, batchCount).ToArray();
        new Random(EpochSeed(seed, stage, epoch)).Shuffle(order);
        return order;
    }

    /// <summary>Batches for evaluation: every example once, grouped by length.</summary>
    public static List<int[]> Evaluation(IReadOnlyList<EncodedExample> examples, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(examples);
        return [.. Enumerable.Range(0, examples.Count).OrderBy(i => examples[i].Ids.Length).Chunk(batchSize)];
    }

    /// <summary>The seed of one epoch of one stage, so every epoch shuffles differently but reproducibly.</summary>
    public static int EpochSeed(int seed, int stage, int epoch) =>
        unchecked((seed * 1_000_003) + (stage * 10_007) + epoch) & int.MaxValue; // not HashCode: it is randomised per process
}
