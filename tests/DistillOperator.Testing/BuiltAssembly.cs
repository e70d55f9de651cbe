using System.Reflection;

namespace DistillOperator.Testing;

/// <summary>
/// Paths of programs the build made, which a test project records as AssemblyMetadata (key → path) so its tests can
/// start them as their own processes, as a pod or a user would.
/// </summary>
public static class BuiltAssembly
{
    /// <summary>The path recorded under <paramref name="key"/> in <paramref name="testAssembly"/>.</summary>
    public static string Path(Assembly testAssembly, string key)
    {
        ArgumentNullException.ThrowIfNull(testAssembly);
        return testAssembly.GetCustomAttributes<AssemblyMetadataAttribute>().SingleOrDefault(a => a.Key == key)?.Value
            ?? throw new InvalidOperationException($"{testAssembly.GetName().Name} records no AssemblyMetadata \"{key}\"");
    }
}
