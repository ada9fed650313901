import { describe, expect, it } from "vitest";
import { fieldValues, filesOf, formObject, isFilePlaceholder, multipartBoundary, MultipartError, parseMultipart } from "./_multipart.js";

const CT = "multipart/form-data; boundary=XyZ";
const body = (...parts: (string | Buffer)[]): Buffer => Buffer.concat(parts.map((p) => (typeof p === "string" ? Buffer.from(p, "latin1") : p)));

describe("parseMultipart", () => {
  it("parses repeated fields, files with binary content (CRLF and the boundary text inside), names and types", async () => {
    const binary = Buffer.from([0x00, 0x0d, 0x0a, 0x2d, 0x2d, 0x58, 0x79, 0xff, 0x0d, 0x0a]);
    const raw = body(
      "--XyZ\r\nContent-Disposition: form-data; name=\"prompt\"\r\n\r\nline1\r\nline2\r\n",
      "--XyZ\r\nContent-Disposition: form-data; name=\"image[]\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\n",
      binary,
      "\r\n--XyZ\r\nContent-Disposition: form-data; name=\"image[]\"; filename=\"b\\\"q.png\"\r\n\r\nB\r\n",
      "--XyZ\r\nContent-Disposition: form-data; name=\"include[]\"\r\n\r\nx\r\n--XyZ\r\nContent-Disposition: form-data; name=\"include[]\"\r\n\r\ny\r\n",
      "--XyZ--\r\n",
    );
    const parsed = parseMultipart(raw, CT);
    expect(parsed.fields["prompt"]).toBe("line1\r\nline2");
    expect(fieldValues(parsed, "include[]")).toEqual(["x", "y"]);
    const files = filesOf(parsed, "image[]");
    expect(files.map((f) => [f.filename, f.contentType])).toEqual([["a.png", "image/png"], ['b"q.png', "application/octet-stream"]]);
    expect(files[0]!.data.equals(binary)).toBe(true);
  });

  it("round-trips what the platform FormData encoder produces, including UTF-8 names", async () => {
    const form = new FormData();
    form.append("model", "gpt-image-2");
    form.append("image[]", new Blob([new Uint8Array([1, 2, 3])], { type: "image/png" }), "bild-ä.png");
    const req = new Request("http://x/", { method: "POST", body: form });
    const parsed = parseMultipart(Buffer.from(await req.arrayBuffer()), req.headers.get("content-type")!);
    expect(parsed.fields["model"]).toBe("gpt-image-2");
    expect(parsed.files[0]).toMatchObject({ field: "image[]", filename: "bild-ä.png", contentType: "image/png" });
    expect([...parsed.files[0]!.data]).toEqual([1, 2, 3]);
  });

  it("reads quoted boundaries and rejects broken bodies and limits with typed errors", () => {
    expect(multipartBoundary('multipart/form-data; boundary="a b"')).toBe("a b");
    expect(multipartBoundary("application/json")).toBeUndefined();
    expect(() => parseMultipart(Buffer.from("x"), "application/json")).toThrow(MultipartError);
    expect(() => parseMultipart(body("--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end"), CT)).toThrow(/truncated/);
    const big = body("--XyZ\r\nContent-Disposition: form-data; name=\"f\"; filename=\"f\"\r\n\r\n", Buffer.alloc(20), "\r\n--XyZ--");
    try {
      parseMultipart(big, CT, { maxFileBytes: 10 });
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({ name: "MultipartError", status: 413 });
    }
    const many = body(...Array.from({ length: 3 }, () => "--XyZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\n1\r\n"), "--XyZ--");
    expect(() => parseMultipart(many, CT, { maxParts: 2 })).toThrow(/Too many/);
  });
});

describe("formObject", () => {
  it("builds the object the API's form schema describes from the parts", () => {
    const file = (field: string, filename: string, n: number) => ({ field, filename, contentType: "image/png", data: Buffer.alloc(n) });
    const obj = formObject({
      fields: { prompt: "p", "include[]": ["a", "b"], "chunking_strategy[type]": "server_vad", "chunking_strategy[threshold]": "0.5", tag: ["x", "y"], "a[b][]": ["1", "2"] },
      files: [file("image[]", "a.png", 3), file("image[]", "b.png", 4), file("mask", "m.png", 1)],
    });
    expect(obj).toEqual({
      prompt: "p",
      include: ["a", "b"],
      chunking_strategy: { type: "server_vad", threshold: "0.5" },
      tag: ["x", "y"],
      a: { b: ["1", "2"] },
      image: ["<file a.png, 3 bytes>", "<file b.png, 4 bytes>"],
      mask: "<file m.png, 1 bytes>",
    });
    expect(isFilePlaceholder(obj["mask"])).toBe(true);
    expect(isFilePlaceholder("a.png")).toBe(false);
  });
});
