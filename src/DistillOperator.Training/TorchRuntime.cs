using TorchSharp;

namespace DistillOperator.Training;

/// <summary>Loads libtorch once and says what it runs on.</summary>
public static class TorchRuntime
{
    /// <summary>
    /// Makes sure the native libraries load, and returns a description such as "libtorch 2.10.0 on cpu (2 threads)".
    /// </summary>
    /// <exception cref="InvalidOperationException">libtorch could not be loaded; the message says the likely cause.</exception>
    public static string Describe()
    {
        try
        {
            var device = torch.cuda.is_available() ? "cuda" : "cpu";
            return $"libtorch {torch.__version__} on {device} ({torch.get_num_threads()} threads)";
        }
        catch (TypeInitializationException e)
        {
            throw new InvalidOperationException(
                "libtorch could not be loaded. On Debian 12 the build must patch libLibTorchSharp.so (see the README, section TorchSharp on Debian 12); rebuild, and check that runtimes/linux-x64/native is next to the program. " + e.InnerException?.Message,
                e);
        }
    }
}
