namespace DistillOperator.Testing;

/// <summary>The real kubectl and helm binaries that ./test.sh unpacks into .tools/bin.</summary>
public static class KubernetesTools
{
    /// <summary>Path of kubectl.</summary>
    public static string Kubectl => Tool("kubectl");

    /// <summary>Path of helm.</summary>
    public static string Helm => Tool("helm");

    /// <summary>Runs a tool to its end and returns its exit code and output.</summary>
    public static (int ExitCode, string Output, string Error) Run(string tool, params string[] arguments) => ToolProcess.Run(tool, arguments);

    private static string Tool(string name)
    {
        var path = RepositoryPaths.Combine(".tools", "bin", name);
        return File.Exists(path) ? path : throw new FileNotFoundException($"{path} is missing; ./test.sh installs kubectl and helm there", path);
    }
}
