package dev.tally.testkit;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemAlreadyExistsException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Lists the {@code .json} files of a classpath location, which may be one file or a folder, in a directory
 * ({@code target/test-classes}) or inside a jar. The JDK has no "list a resource folder" call, hence this class.
 */
final class ClasspathResources {

    /** A file found under a location: its name as the test would write it, and its text. */
    record Resource(String name, String text) {
        /** The file name without {@code .json}: the event type of a schema file. */
        String baseName() {
            String file = name.substring(name.lastIndexOf('/') + 1);
            return file.substring(0, file.length() - ".json".length());
        }
    }

    private ClasspathResources() {
    }

    /**
     * The {@code .json} files directly under {@code location} (or the file itself), sorted by name.
     *
     * @throws TestResourceException when the location does not exist, holds no JSON file, or a file name
     *                               appears in two classpath roots (which one would win is not obvious)
     */
    static List<Resource> jsonFiles(ClassLoader loader, String location) {
        String path = location.replaceAll("^/+", "").replaceAll("/+$", "");
        Map<String, Resource> found = new TreeMap<>();
        try {
            for (URL url : Collections.list(loader.getResources(path))) {
                for (Resource r : read(url, path)) {
                    Resource previous = found.putIfAbsent(r.name(), r);
                    if (previous != null) {
                        throw new TestResourceException(r.name(), "found in more than one classpath root", null);
                    }
                }
            }
        } catch (IOException e) {
            throw new TestResourceException(location, "cannot be read: " + e.getMessage(), e);
        }
        if (found.isEmpty()) {
            throw new TestResourceException(location,
                    "no .json file on the classpath at this location (is it under src/test/resources?)", null);
        }
        return List.copyOf(found.values());
    }

    private static List<Resource> read(URL url, String path) throws IOException {
        URI uri;
        try {
            uri = url.toURI();
        } catch (URISyntaxException e) {
            throw new IOException("unusable resource URL " + url, e);
        }
        if ("jar".equals(uri.getScheme())) {
            try (FileSystem jar = openJar(uri)) {
                return list(jar.provider().getPath(uri), path);
            } catch (FileSystemAlreadyExistsException e) {
                return list(FileSystems.getFileSystem(uri).provider().getPath(uri), path);
            }
        }
        return list(Path.of(uri), path);
    }

    private static FileSystem openJar(URI uri) throws IOException {
        return FileSystems.newFileSystem(uri, Map.of());
    }

    private static List<Resource> list(Path root, String path) throws IOException {
        List<Resource> out = new ArrayList<>();
        if (Files.isDirectory(root)) {
            try (Stream<Path> files = Files.list(root)) {
                for (Path file : files.filter(ClasspathResources::isJson).sorted().toList()) {
                    out.add(new Resource(path + "/" + file.getFileName(), text(file)));
                }
            }
        } else if (isJson(root)) {
            out.add(new Resource(path, text(root)));
        }
        return out;
    }

    private static boolean isJson(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(".json");
    }

    private static String text(Path file) throws IOException {
        return Files.readString(file, StandardCharsets.UTF_8);
    }
}
