using System.Collections;
using DistillOperator.Hosting;

if (args.Contains("--help") || args.Contains("-h"))
{
    Console.WriteLine("usage: distill-operator [--config FILE] [--SETTING VALUE]...");
    Console.WriteLine("settings (also DISTILL_SETTING_NAME in the environment, or keys of the JSON config file):");
    foreach (var name in OperatorOptionsReader.Names)
    {
        Console.WriteLine($"  --{name}");
    }

    return 0;
}

OperatorOptions options;
try
{
    options = OperatorOptionsReader.Read(args, (IDictionary)Environment.GetEnvironmentVariables());
}
catch (OperatorOptionsException e)
{
    await Console.Error.WriteLineAsync($"distill-operator: {e.Message}").ConfigureAwait(false);
    return 2;
}

await using var app = OperatorHost.Build(options);
await app.RunAsync().ConfigureAwait(false);
return 0;
