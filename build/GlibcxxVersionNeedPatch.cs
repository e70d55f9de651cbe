// TorchSharp 0.107.0's libLibTorchSharp.so is built with GCC 13 and asks for GLIBCXX_3.4.32 only to reference
// std::ios_base_library_init(), a link-time anchor it never calls. Debian 12's libstdc++ stops at 3.4.30, so the
// library fails to load there. This rewrites that one version-need entry to GLIBCXX_3.4.21 (a string the library
// already has) in the build output's copy. It is compiled twice: by MSBuild's RoslynCodeTaskFactory as the task
// below, and into the tests (with DISTILL_ELF_PATCHER_WITHOUT_TASK) to test the patch on a copy of the library.
// Written for the task factory's compiler: C# 7.3, no newer syntax.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

namespace DistillOperator.Build
{
    /// <summary>What <see cref="ElfVersionNeedPatcher.Patch"/> did.</summary>
    public enum VersionNeedPatchOutcome
    {
        /// <summary>The entry was rewritten.</summary>
        Patched,

        /// <summary>No version-need entry names the old version: nothing to do (already patched, or another build).</summary>
        NotNeeded,
    }

    /// <summary>One entry of the .gnu.version_r section: a symbol version a library needs from another.</summary>
    public struct VersionNeed
    {
        public string File;
        public string Version;
        public uint Hash;
        public int EntryOffset;
    }

    /// <summary>Reads and rewrites the version needs (SHT_GNU_verneed) of a 64-bit little-endian ELF shared library.</summary>
    public static class ElfVersionNeedPatcher
    {
        public const uint ShtGnuVerneed = 0x6ffffffe;

        /// <summary>The SysV ELF hash that vna_hash holds.</summary>
        public static uint ElfHash(string name)
        {
            uint h = 0;
            foreach (byte c in Encoding.ASCII.GetBytes(name))
            {
                h = (h << 4) + c;
                uint g = h & 0xf0000000;
                if (g != 0)
                {
                    h ^= g >> 24;
                }

                h &= ~g;
            }

            return h;
        }

        /// <summary>Every version-need entry of the library.</summary>
        public static List<VersionNeed> ReadVersionNeeds(byte[] elf)
        {
            var needs = new List<VersionNeed>();
            Section verneed;
            Section dynstr;
            FindVersionNeedSections(elf, out verneed, out dynstr);
            int offset = checked((int)verneed.Offset);
            for (uint i = 0; i < verneed.Info; i++)
            {
                ushort count = U16(elf, offset + 2);
                string file = CString(elf, dynstr, U32(elf, offset + 4));
                int aux = offset + (int)U32(elf, offset + 8);
                for (int j = 0; j < count; j++)
                {
                    VersionNeed need;
                    need.File = file;
                    need.Hash = U32(elf, aux);
                    need.Version = CString(elf, dynstr, U32(elf, aux + 8));
                    need.EntryOffset = aux;
                    needs.Add(need);
                    aux += (int)U32(elf, aux + 12);
                }

                uint next = U32(elf, offset + 12);
                if (next == 0)
                {
                    break;
                }

                offset += (int)next;
            }

            return needs;
        }

        /// <summary>
        /// Points every version-need entry named <paramref name="from"/> at the existing .dynstr string
        /// <paramref name="to"/> and sets its hash. Nothing else in the file changes.
        /// </summary>
        /// <exception cref="InvalidDataException">Not a 64-bit little-endian ELF, no version needs, or no string <paramref name="to"/>.</exception>
        public static VersionNeedPatchOutcome Patch(byte[] elf, string from, string to)
        {
            Section dynstr;
            FindVersionNeedSections(elf, out _, out dynstr);
            bool patched = false;
            foreach (VersionNeed need in ReadVersionNeeds(elf))
            {
                if (need.Version != from)
                {
                    continue;
                }

                uint target = FindString(elf, dynstr, to);
                WriteU32(elf, need.EntryOffset, ElfHash(to));
                WriteU32(elf, need.EntryOffset + 8, target);
                patched = true;
            }

            return patched ? VersionNeedPatchOutcome.Patched : VersionNeedPatchOutcome.NotNeeded;
        }

        /// <summary>True when the library file's bytes contain the version name (as its version definitions do).</summary>
        public static bool MentionsVersion(string libraryPath, string version)
        {
            byte[] bytes = File.ReadAllBytes(libraryPath);
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(bytes, needle, 0, bytes.Length) >= 0;
        }

        private struct Section
        {
            public ulong Offset;
            public ulong Size;
            public uint Link;
            public uint Info;
        }

        private static void FindVersionNeedSections(byte[] elf, out Section verneed, out Section dynstr)
        {
            if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            {
                throw new InvalidDataException("not an ELF file");
            }

            if (elf[4] != 2 || elf[5] != 1)
            {
                throw new InvalidDataException("only 64-bit little-endian ELF files are supported");
            }

            ulong sectionHeaders = U64(elf, 0x28);
            ushort entrySize = U16(elf, 0x3a);
            ushort count = U16(elf, 0x3c);
            var sections = new Section[count];
            uint[] types = new uint[count];
            for (int i = 0; i < count; i++)
            {
                int header = checked((int)(sectionHeaders + (ulong)(i * entrySize)));
                types[i] = U32(elf, header + 4);
                sections[i].Offset = U64(elf, header + 24);
                sections[i].Size = U64(elf, header + 32);
                sections[i].Link = U32(elf, header + 40);
                sections[i].Info = U32(elf, header + 44);
            }

            for (int i = 0; i < count; i++)
            {
                if (types[i] == ShtGnuVerneed)
                {
                    verneed = sections[i];
                    dynstr = sections[verneed.Link];
                    return;
                }
            }

            throw new InvalidDataException("the library has no version-need section (.gnu.version_r)");
        }

        private static uint FindString(byte[] elf, Section dynstr, string text)
        {
            byte[] needle = Encoding.ASCII.GetBytes(text + "\0");
            int start = checked((int)dynstr.Offset);
            int end = checked((int)(dynstr.Offset + dynstr.Size));
            for (int at = IndexOf(elf, needle, start, end); at >= 0; at = IndexOf(elf, needle, at + 1, end))
            {
                if (at == start || elf[at - 1] == 0)
                {
                    return (uint)(at - start);
                }
            }

            throw new InvalidDataException("the library's .dynstr has no string \"" + text + "\" to point the entry at");
        }

        private static int IndexOf(byte[] haystack, byte[] needle, int start, int end)
        {
            for (int i = start; i <= end - needle.Length; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }

        private static string CString(byte[] elf, Section dynstr, uint offset)
        {
            int start = checked((int)(dynstr.Offset + offset));
            int end = start;
            while (elf[end] != 0)
            {
                end++;
            }

            return Encoding.ASCII.GetString(elf, start, end - start);
        }

        private static ushort U16(byte[] b, int o) { return (ushort)(b[o] | (b[o + 1] << 8)); }

        private static uint U32(byte[] b, int o) { return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24)); }

        private static ulong U64(byte[] b, int o) { return U32(b, o) | ((ulong)U32(b, o + 4) << 32); }

        private static void WriteU32(byte[] b, int o, uint v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
            b[o + 2] = (byte)(v >> 16);
            b[o + 3] = (byte)(v >> 24);
        }
    }

#if !DISTILL_ELF_PATCHER_WITHOUT_TASK
    /// <summary>
    /// MSBuild task: patches the build output's copy of libLibTorchSharp.so when this machine's libstdc++ lacks
    /// GLIBCXX_3.4.32. Never touches the NuGet cache; writes a new file and renames it over the copy.
    /// </summary>
    public sealed class PatchLibTorchSharpForOldLibstdcxx : Microsoft.Build.Utilities.Task
    {
        private const string Missing = "GLIBCXX_3.4.32";
        private const string Present = "GLIBCXX_3.4.21";

        private static readonly string[] LibstdcxxCandidates =
        {
            "/usr/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/lib/x86_64-linux-gnu/libstdc++.so.6",
            "/usr/lib64/libstdc++.so.6",
            "/usr/lib/libstdc++.so.6",
        };

        [Microsoft.Build.Framework.Required]
        public string LibraryPath { get; set; }

        public override bool Execute()
        {
            if (!File.Exists(LibraryPath))
            {
                return true;
            }

            string libstdcxx = null;
            foreach (string candidate in LibstdcxxCandidates)
            {
                if (File.Exists(candidate))
                {
                    libstdcxx = candidate;
                    break;
                }
            }

            if (libstdcxx == null)
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, "No system libstdc++ found; " + LibraryPath + " left as it is.");
                return true;
            }

            if (ElfVersionNeedPatcher.MentionsVersion(libstdcxx, Missing))
            {
                Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low, libstdcxx + " has " + Missing + "; " + LibraryPath + " needs no patch.");
                return true;
            }

            byte[] bytes = File.ReadAllBytes(LibraryPath);
            if (ElfVersionNeedPatcher.Patch(bytes, Missing, Present) == VersionNeedPatchOutcome.NotNeeded)
            {
                return true;
            }

            string temporary = LibraryPath + ".patching";
            File.WriteAllBytes(temporary, bytes);
            // A rename, not a copy over the file: the copy may be a hard link into the NuGet cache.
            File.Replace(temporary, LibraryPath, null);
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal,
                "Patched " + LibraryPath + ": version need " + Missing + " -> " + Present + " (" + libstdcxx + " lacks " + Missing + ").");
            return true;
        }
    }
#endif
}
