using System.Text.Json;
using System.Text.Json.Serialization;

namespace Research.Core.Settings;

/// <summary>
/// Writes a settings record as its settings, by key, in declaration order: the form a resolved
/// experiment config and its hash use, so they show the keys the file is written in.
/// Reading back is not needed (configs are read from their files) and not supported.
/// </summary>
public sealed class SettingsJsonConverter<T> : JsonConverter<T> where T : ISettingsRecord<T>
{
    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException($"{typeof(T).Name} is read from its setting keys, not from JSON");

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        foreach (var setting in T.Settings)
        {
            var (key, v) = (setting.Key, setting.Get(value));
            if (v is null && setting.Info.LeftOutWhenNull) continue;
            writer.WritePropertyName(key);
            switch (v)
            {
                case null: writer.WriteNullValue(); break;
                case bool b: writer.WriteBooleanValue(b); break;
                case int i: writer.WriteNumberValue(i); break;
                case double d: writer.WriteNumberValue(d); break;
                case string s: writer.WriteStringValue(s); break;
                case int[] list:
                    writer.WriteStartArray();
                    foreach (var x in list) writer.WriteNumberValue(x);
                    writer.WriteEndArray();
                    break;
                case double[] list:
                    writer.WriteStartArray();
                    foreach (var x in list) writer.WriteNumberValue(x);
                    writer.WriteEndArray();
                    break;
                default: throw new NotSupportedException($"{typeof(T).Name}.{key}: no JSON form for {v.GetType().Name}");
            }
        }
        writer.WriteEndObject();
    }
}
