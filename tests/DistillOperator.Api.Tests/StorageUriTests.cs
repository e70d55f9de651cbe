namespace DistillOperator.Api.Tests;

public sealed class StorageUriTests
{
    [Theory]
    [InlineData("pvc://models/bert/base", StorageKind.PersistentVolumeClaim, "models", "bert/base")]
    [InlineData("pvc://models", StorageKind.PersistentVolumeClaim, "models", "")]
    [InlineData("file:///data/train.tsv", StorageKind.File, null, "/data/train.tsv")]
    [InlineData("data/train.tsv", StorageKind.LocalPath, null, "data/train.tsv")]
    [InlineData("../shared/train.tsv", StorageKind.LocalPath, null, "../shared/train.tsv")]
    public void Valid_locations_parse_into_their_parts(string text, StorageKind kind, string? claim, string path)
    {
        Assert.True(StorageUri.TryParse(text, out var uri, out var error), error);

        Assert.Equal(new StorageUri(kind, path, claim), uri);
    }

    [Theory]
    [InlineData("s3://bucket/key", "unsupported scheme \"s3\"")]
    [InlineData("pvc://My_Claim/x", "not a valid PersistentVolumeClaim name")]
    [InlineData("pvc://models/../etc", "must not contain '..'")]
    [InlineData("file://relative", "absolute file URI")]
    [InlineData("", "must not be empty")]
    public void Invalid_locations_say_what_is_wrong(string text, string expected)
    {
        Assert.False(StorageUri.TryParse(text, out _, out var error));

        Assert.Contains(expected, error, StringComparison.Ordinal);
    }
}
