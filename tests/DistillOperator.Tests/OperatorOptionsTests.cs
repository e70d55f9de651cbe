using System.Collections;
using DistillOperator.Hosting;

namespace DistillOperator.Tests;

public sealed class OperatorOptionsTests
{
    [Fact]
    public void Flags_override_the_environment_which_overrides_the_config_file()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, """{"metrics-port": 9000, "workers": 3, "namespaces": ["ml", "research"], "trainer-image": "from-file:1"}""");
        var environment = new Hashtable { ["DISTILL_WORKERS"] = "5", ["DISTILL_TRAINER_IMAGE"] = "from-env:1" };

        var options = OperatorOptionsReader.Read(["--config", file, "--workers=7", "--leader-election"], environment);

        Assert.Equal(9000, options.MetricsPort);
        Assert.Equal(7, options.Workers);
        Assert.Equal("from-env:1", options.TrainerImage);
        Assert.Equal(["ml", "research"], options.Namespaces);
        Assert.True(options.LeaderElection);
        File.Delete(file);
    }

    [Theory]
    [InlineData(new[] { "--workers", "0" }, "--workers: must be a whole number from 1 to 64, got '0'")]
    [InlineData(new[] { "--metrics-port", "http" }, "--metrics-port: must be a whole number from 0 to 65535, got 'http'")]
    [InlineData(new[] { "--leader-election=maybe" }, "--leader-election: must be true or false, got 'maybe'")]
    [InlineData(new[] { "--colour", "blue" }, "--colour: unknown setting")]
    [InlineData(new[] { "--trainer-image" }, "--trainer-image: needs a value")]
    public void A_bad_flag_is_named_in_the_error(string[] args, string expected)
    {
        var error = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsReader.Read(args, new Hashtable()));
        Assert.StartsWith(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_environment_variable_or_config_key_is_named_in_the_error()
    {
        var error = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsReader.Read([], new Hashtable { ["DISTILL_RESYNC_SECONDS"] = "-1" }));
        Assert.StartsWith("DISTILL_RESYNC_SECONDS: must be a whole number", error.Message, StringComparison.Ordinal);

        var file = Path.GetTempFileName();
        File.WriteAllText(file, "{\n  \"workers\": 2,\n  \"metrics-port\": ,\n}");
        error = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsReader.Read(["--config", file], new Hashtable()));
        Assert.StartsWith($"{file}: line 3: not valid JSON", error.Message, StringComparison.Ordinal);
        File.WriteAllText(file, """{"trainer-image-pull-policy": "Sometimes"}""");
        error = Assert.Throws<OperatorOptionsException>(() => OperatorOptionsReader.Read(["--config", file], new Hashtable()));
        Assert.StartsWith($"{file}: trainer-image-pull-policy: must be Always, IfNotPresent or Never", error.Message, StringComparison.Ordinal);
        File.Delete(file);
    }
}
