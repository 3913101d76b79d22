using System.Buffers.Binary;
using System.Numerics;
using System.Text;

namespace Research.Torch.IO.Pth;

/// <summary>
/// A pickle reader that can only build what a torch.save state dict is made of: None, bools,
/// ints, floats, strings, tuples, lists, dicts, OrderedDicts, storages (from persistent ids)
/// and tensors. It implements the opcodes such a pickle uses and nothing else, and it resolves
/// globals against <see cref="AllowedGlobal"/> only, each implemented here in C#; it never
/// imports, constructs or calls anything named by the file. Everything else (another global,
/// another opcode, a call with unexpected arguments, a truncated stream) is a
/// <see cref="PthFormatException"/> naming the thing refused and its byte offset.
/// </summary>
internal sealed class RestrictedUnpickler
{
    private const int HighestProtocol = 5;

    /// <summary>
    /// Values pushed and memo entries made, at most. A state dict's pickle needs about 35 per tensor, a
    /// checkpoint with its optimizer's state about 55 per model tensor (torchvision's EfficientNet-B7, 1,200
    /// tensors: 41,000 and 65,000), so state dicts of over 14,000 tensors fit; the bound stops a small pickle
    /// (a byte per empty list) from building hundreds of megabytes of objects: half a million cost about 45 MB.
    /// </summary>
    public const int MaxValues = 500_000;

    // Python decodes pickled text as UTF-8 with 'surrogatepass'; a strict decoder refuses the
    // lone surrogates that allows, which no state dict key needs.
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly byte[] _data;
    private readonly string _path;
    private readonly string _entryName;
    private readonly List<object?> _stack = [];
    // Where each open MARK split the stack: items above the innermost mark belong to it.
    private readonly Stack<int> _marks = new();
    private readonly Dictionary<long, object?> _memo = [];
    private int _position;
    private int _opcodeOffset;
    private int _built;

    private RestrictedUnpickler(byte[] data, string path, string entryName)
    {
        _data = data;
        _path = path;
        _entryName = entryName;
    }

    /// <summary>Reads the pickle up to its STOP and returns the one object it builds.</summary>
    /// <param name="path">the file, for messages.</param>
    /// <param name="entryName">the pickle's name inside the archive (e.g. "archive/data.pkl"), for messages.</param>
    public static object? Load(byte[] data, string path, string entryName) => new RestrictedUnpickler(data, path, entryName).Run();

    private object? Run()
    {
        while (true)
        {
            if (_position >= _data.Length)
            {
                _opcodeOffset = _position;
                throw Fail($"the pickle ends without a STOP opcode (is {_entryName} cut short?)");
            }
            _opcodeOffset = _position;
            byte code = _data[_position++];
            switch ((PickleOpcode)code)
            {
                case PickleOpcode.Proto:
                    int protocol = ReadByte();
                    if (protocol > HighestProtocol) throw Fail($"PROTO asks for pickle protocol {protocol}; the highest there is, is {HighestProtocol}");
                    break;
                case PickleOpcode.Frame:
                    // Protocol 4 frames only group opcodes for buffered reading; the whole pickle is in memory.
                    ulong frame = ReadUInt64();
                    if (frame > (ulong)(_data.Length - _position))
                        throw Fail($"FRAME announces {frame} bytes but only {_data.Length - _position} follow (is {_entryName} cut short?)");
                    break;
                case PickleOpcode.Stop:
                    return Finish();

                case PickleOpcode.Mark:
                    _marks.Push(_stack.Count);
                    break;
                case PickleOpcode.EmptyDict:
                    Push(new PickleDict(isOrdered: false));
                    break;
                case PickleOpcode.EmptyList:
                    Push(new PickleList());
                    break;
                case PickleOpcode.EmptyTuple:
                    Push(PickleTuple.Empty);
                    break;
                case PickleOpcode.Tuple:
                    Push(new PickleTuple(PopToMark("TUPLE")));
                    break;
                case PickleOpcode.Tuple1:
                    Push(new PickleTuple(PopMany(1, "TUPLE1")));
                    break;
                case PickleOpcode.Tuple2:
                    Push(new PickleTuple(PopMany(2, "TUPLE2")));
                    break;
                case PickleOpcode.Tuple3:
                    Push(new PickleTuple(PopMany(3, "TUPLE3")));
                    break;

                case PickleOpcode.BinUnicode:
                    Push(ReadText(ReadUInt32(), "BINUNICODE"));
                    break;
                case PickleOpcode.ShortBinUnicode:
                    Push(ReadText((ulong)ReadByte(), "SHORT_BINUNICODE"));
                    break;
                case PickleOpcode.BinUnicode8:
                    Push(ReadText(ReadUInt64(), "BINUNICODE8"));
                    break;
                case PickleOpcode.BinString:
                    // Python 2's str; torch.load decodes it as UTF-8, and so does this reader.
                    int length = ReadInt32();
                    if (length < 0) throw Fail($"BINSTRING has the negative length {length}");
                    Push(ReadText((ulong)length, "BINSTRING"));
                    break;
                case PickleOpcode.ShortBinString:
                    Push(ReadText((ulong)ReadByte(), "SHORT_BINSTRING"));
                    break;

                case PickleOpcode.BinInt:
                    Push((long)ReadInt32());
                    break;
                case PickleOpcode.BinInt1:
                    Push((long)ReadByte());
                    break;
                case PickleOpcode.BinInt2:
                    Push((long)BinaryPrimitives.ReadUInt16LittleEndian(ReadBytes(2, "BININT2")));
                    break;
                case PickleOpcode.Long1:
                    Push(ReadLong(ReadByte()));
                    break;
                case PickleOpcode.BinFloat:
                    Push(BinaryPrimitives.ReadDoubleBigEndian(ReadBytes(8, "BINFLOAT")));
                    break;
                case PickleOpcode.NewTrue:
                    Push(true);
                    break;
                case PickleOpcode.NewFalse:
                    Push(false);
                    break;
                case PickleOpcode.None:
                    Push(null);
                    break;

                case PickleOpcode.BinPut:
                    Put(ReadByte());
                    break;
                case PickleOpcode.LongBinPut:
                    Put(ReadUInt32());
                    break;
                case PickleOpcode.Memoize:
                    Put(_memo.Count);
                    break;
                case PickleOpcode.BinGet:
                    Get(ReadByte());
                    break;
                case PickleOpcode.LongBinGet:
                    Get(ReadUInt32());
                    break;

                case PickleOpcode.Global:
                    string module = ReadLine("GLOBAL");
                    string name = ReadLine("GLOBAL");
                    Push(Resolve(module, name));
                    break;
                case PickleOpcode.StackGlobal:
                {
                    var nameValue = Pop("STACK_GLOBAL");
                    var moduleValue = Pop("STACK_GLOBAL");
                    if (moduleValue is not string moduleText || nameValue is not string nameText)
                        throw Fail($"STACK_GLOBAL needs a module and a name (two str) but got {PickleValue.Describe(moduleValue)} and {PickleValue.Describe(nameValue)}");
                    Push(Resolve(moduleText, nameText));
                    break;
                }
                case PickleOpcode.Reduce:
                {
                    var args = Pop("REDUCE");
                    var callable = Pop("REDUCE");
                    Push(Reduce(callable, args));
                    break;
                }
                case PickleOpcode.Build:
                    Build(Pop("BUILD"));
                    break;
                case PickleOpcode.BinPersId:
                    Push(PersistentLoad(Pop("BINPERSID")));
                    break;

                case PickleOpcode.SetItem:
                {
                    var value = Pop("SETITEM");
                    var key = Pop("SETITEM");
                    SetItems(TopAs<PickleDict>("SETITEM", "a dict"), [key, value], "SETITEM");
                    break;
                }
                case PickleOpcode.SetItems:
                {
                    var items = PopToMark("SETITEMS");
                    SetItems(TopAs<PickleDict>("SETITEMS", "a dict"), items, "SETITEMS");
                    break;
                }
                case PickleOpcode.Append:
                {
                    var value = Pop("APPEND");
                    TopAs<PickleList>("APPEND", "a list").Items.Add(value);
                    break;
                }
                case PickleOpcode.Appends:
                {
                    var items = PopToMark("APPENDS");
                    TopAs<PickleList>("APPENDS", "a list").Items.AddRange(items);
                    break;
                }

                default:
                    throw Fail(Enum.IsDefined((PickleOpcode)code)
                        ? $"the opcode {PickleOpcodeNames.Describe(code)} is refused: a state dict pickle does not need it"
                        : $"the byte 0x{code:x2} is not a pickle opcode");
            }
        }
    }

    private object? Finish()
    {
        if (_marks.Count > 0) throw Fail("STOP with a MARK still open; the pickle is malformed");
        if (_stack.Count != 1) throw Fail($"STOP with {_stack.Count} objects on the stack, not one; the pickle is malformed");
        return _stack[0];
    }

    // ---- the allow-listed globals, implemented here ----

    private AllowedGlobal Resolve(string module, string name) =>
        AllowedGlobal.Find(module, name)
        ?? throw Fail($"the global {PickleValue.Quote($"{module}.{name}")} is refused: only {AllowedGlobal.ListText} may appear in a state dict");

    private object Reduce(object? callable, object? args)
    {
        if (callable is not AllowedGlobal global)
            throw Fail($"REDUCE calls {PickleValue.Describe(callable)}, which is not an allowed function");
        if (args is not PickleTuple arguments)
            throw Fail($"REDUCE calls {global.FullName} with {PickleValue.Describe(args)} instead of an argument tuple");
        switch (global.Role)
        {
            case GlobalRole.OrderedDict:
                // Python 3 pickles an OrderedDict as OrderedDict() followed by SETITEMS.
                if (arguments.Count != 0)
                    throw Fail($"REDUCE calls collections.OrderedDict with {Count(arguments.Count, "argument")}; only OrderedDict() is accepted");
                return new PickleDict(isOrdered: true);
            case GlobalRole.RebuildTensorV2:
                return RebuildTensor(arguments);
            case GlobalRole.RebuildParameter:
                // (data, requires_grad, backward_hooks): the Parameter's data is the tensor a state dict needs.
                if (arguments.Count != 3 || arguments[0] is not PickledTensor data || arguments[1] is not bool)
                    throw Fail($"REDUCE calls torch._utils._rebuild_parameter with ({DescribeAll(arguments)}); expected (tensor, requires_grad, backward_hooks)");
                CheckNoHooks(arguments[2], "torch._utils._rebuild_parameter");
                return data;
            default:
                throw Fail($"REDUCE calls {global.FullName}, which may appear only as the storage type of a persistent id");
        }
    }

    private PickledTensor RebuildTensor(PickleTuple arguments)
    {
        const string Function = "torch._utils._rebuild_tensor_v2";
        // (storage, storage_offset, size, stride, requires_grad, backward_hooks); PyTorch 2 adds
        // a seventh, metadata, when the tensor has any (None or {} here: nothing to apply).
        if (arguments.Count is not (6 or 7))
            throw Fail($"REDUCE calls {Function} with {Count(arguments.Count, "argument")}; expected (storage, storage_offset, size, stride, requires_grad, backward_hooks)");
        if (arguments[0] is not PickledStorage storage)
            throw Fail($"REDUCE calls {Function} with {PickleValue.Describe(arguments[0])} as its storage; expected a persistent id's storage");
        long offset = arguments[1] is long o ? o : throw Fail($"REDUCE calls {Function} with {PickleValue.Describe(arguments[1])} as its storage offset; expected an int");
        long[] shape = Ints(arguments[2], Function, "size");
        long[] stride = Ints(arguments[3], Function, "stride");
        if (arguments[4] is not bool)
            throw Fail($"REDUCE calls {Function} with {PickleValue.Describe(arguments[4])} as requires_grad; expected a bool");
        CheckNoHooks(arguments[5], Function);
        if (arguments.Count == 7 && arguments[6] is not (null or PickleDict { Count: 0 }))
            throw Fail($"REDUCE calls {Function} with tensor metadata {PickleValue.Describe(arguments[6])}, which this reader cannot apply");
        return PickledTensor.TryCreate(storage, offset, shape, stride, out var problem)
               ?? throw Fail($"{Function} rebuilds a tensor from storage {storage} that {problem}");
    }

    private long[] Ints(object? value, string function, string what)
    {
        if (value is PickleTuple tuple && tuple.Items.All(item => item is long))
            return tuple.Items.Select(item => (long)item!).ToArray();
        throw Fail($"REDUCE calls {function} with {PickleValue.Describe(value)} as its {what}; expected a tuple of ints");
    }

    // Hooks are functions; a pickle that carries any would need them called, which is never done.
    private void CheckNoHooks(object? hooks, string function)
    {
        if (hooks is not PickleDict { Count: 0 })
            throw Fail($"REDUCE calls {function} with backward hooks {PickleValue.Describe(hooks)}; only an empty OrderedDict is accepted");
    }

    private PickledStorage PersistentLoad(object? pid)
    {
        if (pid is not PickleTuple { Count: 5 } id || id[0] is not "storage")
            throw Fail($"BINPERSID with the persistent id {PickleValue.Describe(pid)}; expected ('storage', storage_type, key, location, numel)");
        if (id[1] is not AllowedGlobal { Role: GlobalRole.Storage } type)
            throw Fail($"BINPERSID with {PickleValue.Describe(id[1])} as the storage type; expected one of torch.FloatStorage, torch.LongStorage, ...");
        if (id[2] is not string key || key.Length is 0 or > 64 || !key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_'))
            throw Fail($"BINPERSID with {PickleValue.Describe(id[2])} as the storage key; expected a short name of letters, digits and '_' (torch.save writes 0, 1, 2...)");
        if (id[3] is not string location)
            throw Fail($"BINPERSID with {PickleValue.Describe(id[3])} as the storage location; expected a str such as 'cpu'");
        if (id[4] is not long count || count < 0)
            throw Fail($"BINPERSID with {PickleValue.Describe(id[4])} as the number of elements of storage '{key}'; expected an int >= 0");
        if (count > long.MaxValue / type.StorageDType.ElementSize())
            throw Fail($"BINPERSID says storage '{key}' holds {count} elements of {type.StorageDType.Name()}, more bytes than 64 bits can count");
        return new PickledStorage(key, type.FullName, type.StorageDType, count, location);
    }

    private void Build(object? state)
    {
        var target = Top("BUILD");
        // An OrderedDict state dict carries its _metadata (module versions) as an attribute
        // set by BUILD; a state dict's tensors do not need it, so the state is dropped.
        if (target is PickleDict && state is PickleDict) return;
        throw Fail($"BUILD sets the state of {PickleValue.Describe(target)} to {PickleValue.Describe(state)}; only a dict's attributes (a state dict's _metadata) are accepted");
    }

    private void SetItems(PickleDict dict, IReadOnlyList<object?> items, string opcode)
    {
        if (items.Count % 2 != 0) throw Fail($"{opcode} has an odd number ({items.Count}) of keys and values");
        for (int i = 0; i < items.Count; i += 2)
        {
            if (!PickleDict.IsKey(items[i]))
                throw Fail($"{opcode} uses {PickleValue.Describe(items[i])} as a dict key; only str, int, bool and float keys are accepted");
            dict.Set(items[i]!, items[i + 1]);
        }
    }

    // ---- the stack and the memo ----

    private void Push(object? value)
    {
        CountValue();
        _stack.Add(value);
    }

    private void CountValue()
    {
        if (++_built > MaxValues)
            throw Fail($"the pickle builds more than {MaxValues:N0} values; a state dict's needs about 35 per tensor, so this is not one (or is a pickle bomb)");
    }

    private int Floor => _marks.Count > 0 ? _marks.Peek() : 0;

    private object? Pop(string opcode)
    {
        if (_stack.Count <= Floor) throw Fail($"{opcode} needs a value but the stack is empty{(_marks.Count > 0 ? " above the last MARK" : "")}");
        var value = _stack[^1];
        _stack.RemoveAt(_stack.Count - 1);
        return value;
    }

    private object?[] PopMany(int count, string opcode)
    {
        if (_stack.Count - Floor < count)
            throw Fail($"{opcode} needs {count} values but the stack holds {_stack.Count - Floor}{(_marks.Count > 0 ? " above the last MARK" : "")}");
        var items = _stack.GetRange(_stack.Count - count, count).ToArray();
        _stack.RemoveRange(_stack.Count - count, count);
        return items;
    }

    private object?[] PopToMark(string opcode)
    {
        if (_marks.Count == 0) throw Fail($"{opcode} needs a MARK but none is open");
        int start = _marks.Pop();
        var items = _stack.GetRange(start, _stack.Count - start).ToArray();
        _stack.RemoveRange(start, _stack.Count - start);
        return items;
    }

    private object? Top(string opcode)
    {
        if (_stack.Count <= Floor) throw Fail($"{opcode} needs an object to act on but the stack is empty");
        return _stack[^1];
    }

    private T TopAs<T>(string opcode, string what) where T : class =>
        Top(opcode) as T ?? throw Fail($"{opcode} needs {what} to add to but finds {PickleValue.Describe(_stack[^1])}");

    private void Put(long index)
    {
        if (_stack.Count <= Floor) throw Fail("a memo PUT needs a value but the stack is empty");
        if (!_memo.ContainsKey(index)) CountValue();
        _memo[index] = _stack[^1];
    }

    private void Get(long index)
    {
        if (!_memo.TryGetValue(index, out var value)) throw Fail($"a memo GET asks for entry {index}, which was never stored");
        Push(value);
    }

    // ---- reading the byte stream ----

    private int ReadByte()
    {
        if (_position >= _data.Length) throw Fail($"the pickle ends inside {PickleOpcodeNames.Describe(_data[_opcodeOffset])} (is {_entryName} cut short?)");
        return _data[_position++];
    }

    private ReadOnlySpan<byte> ReadBytes(ulong count, string what)
    {
        if (count > (ulong)(_data.Length - _position))
            throw Fail($"{what} needs {count} bytes but only {_data.Length - _position} remain (is {_entryName} cut short?)");
        var bytes = _data.AsSpan(_position, (int)count);
        _position += (int)count;
        return bytes;
    }

    private int ReadInt32() => BinaryPrimitives.ReadInt32LittleEndian(ReadBytes(4, PickleOpcodeNames.Describe(_data[_opcodeOffset])));
    private uint ReadUInt32() => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, PickleOpcodeNames.Describe(_data[_opcodeOffset])));
    private ulong ReadUInt64() => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, PickleOpcodeNames.Describe(_data[_opcodeOffset])));

    private string ReadText(ulong length, string opcode)
    {
        var bytes = ReadBytes(length, opcode);
        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            throw Fail($"{opcode} holds {length} bytes that are not valid UTF-8");
        }
    }

    // GLOBAL's module and name are text lines ending in '\n'.
    private string ReadLine(string opcode)
    {
        int end = Array.IndexOf(_data, (byte)'\n', _position);
        if (end < 0) throw Fail($"{opcode} has a name without the '\\n' that ends it (is {_entryName} cut short?)");
        var text = ReadText((ulong)(end - _position), opcode);
        _position = end + 1;
        return text;
    }

    // LONG1: a little-endian two's-complement integer of the given length (0 bytes is 0).
    private object ReadLong(int length)
    {
        var bytes = ReadBytes((ulong)length, "LONG1");
        var value = new BigInteger(bytes, isUnsigned: false, isBigEndian: false);
        // Kept as a long whenever it fits, so sizes and counts compare as the ints they are.
        if (value >= long.MinValue && value <= long.MaxValue) return (long)value;
        return value;
    }

    private static string Count(long count, string noun) => $"{count} {noun}{(count == 1 ? "" : "s")}";

    private static string DescribeAll(PickleTuple arguments) => string.Join(", ", arguments.Items.Select(PickleValue.Describe));

    private PthFormatException Fail(string problem) =>
        new(_path, $"{_entryName} byte {_opcodeOffset}: {problem}", _opcodeOffset);
}
