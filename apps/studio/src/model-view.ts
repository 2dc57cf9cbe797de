/**
 * The 3D preview of a result: the model (GLB; or the geometry of an OBJ, STL or PLY) in a
 * three.js scene, turned by mouse or touch (OrbitControls) or by arrow keys, zoomed with the
 * wheel or + and -. Loaded on demand with import(): three.js is most of the page's weight.
 */
import { AmbientLight, Box3, Color, DirectionalLight, Group, Mesh, MeshStandardMaterial, PerspectiveCamera, Scene, Vector3, WebGLRenderer, type BufferGeometry, type Object3D } from 'three';
import { OrbitControls } from 'three/addons/controls/OrbitControls.js';
import { GLTFLoader } from 'three/addons/loaders/GLTFLoader.js';
import { OBJLoader } from 'three/addons/loaders/OBJLoader.js';
import { PLYLoader } from 'three/addons/loaders/PLYLoader.js';
import { STLLoader } from 'three/addons/loaders/STLLoader.js';

export const BACKGROUND = 0x1b2230;
const TURN = Math.PI / 12;

export interface ModelView {
  dispose(): void;
}

async function parse(bytes: ArrayBuffer, format: string): Promise<Object3D> {
  const material = (geometry: BufferGeometry) =>
    new MeshStandardMaterial({ color: geometry.hasAttribute('color') ? 0xffffff : 0xb8c4d6, vertexColors: geometry.hasAttribute('color'), roughness: 0.7 });
  switch (format) {
    case 'glb':
      return (await new GLTFLoader().parseAsync(bytes, '')).scene;
    case 'stl': {
      const geometry = new STLLoader().parse(bytes);
      return new Mesh(geometry, material(geometry));
    }
    case 'ply': {
      const geometry = new PLYLoader().parse(bytes);
      geometry.computeVertexNormals();
      return new Mesh(geometry, material(geometry));
    }
    case 'obj': {
      const group = new OBJLoader().parse(new TextDecoder().decode(bytes));
      group.traverse((o) => {
        if (o instanceof Mesh) o.material = material(o.geometry as BufferGeometry);
      });
      return group;
    }
    default:
      throw new Error(`no preview for ${format} files`);
  }
}

export async function showModel(container: HTMLElement, bytes: ArrayBuffer, format: string): Promise<ModelView> {
  const model = await parse(bytes, format);
  // Centred at the origin, so the view turns around the model's middle.
  const box = new Box3().setFromObject(model);
  const size = box.getSize(new Vector3()).length() || 1;
  model.position.sub(box.getCenter(new Vector3()));
  const pivot = new Group().add(model);

  const scene = new Scene();
  scene.background = new Color(BACKGROUND);
  scene.add(pivot, new AmbientLight(0xffffff, 1.2));
  const key = new DirectionalLight(0xffffff, 2.2);
  key.position.set(1, 1.5, 2);
  const rim = new DirectionalLight(0x9fb8ff, 0.8);
  rim.position.set(-2, 0.5, -1.5);
  scene.add(key, rim);

  const camera = new PerspectiveCamera(40, 1, size / 100, size * 20);
  camera.position.set(0, size * 0.25, size * 1.25);
  // preserveDrawingBuffer: the drawn frame stays readable (a screenshot, the tests' pixel check).
  const renderer = new WebGLRenderer({ antialias: true, preserveDrawingBuffer: true });
  renderer.setPixelRatio(Math.min(window.devicePixelRatio, 2));
  const canvas = renderer.domElement;
  canvas.tabIndex = 0;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute('aria-label', `3D preview of the ${format.toUpperCase()} model: drag or use the arrow keys to turn it, the wheel or + and - to zoom`);
  container.replaceChildren(canvas);

  const controls = new OrbitControls(camera, canvas);
  const render = () => renderer.render(scene, camera);
  controls.addEventListener('change', render);

  canvas.addEventListener('keydown', (event) => {
    const turns: Record<string, () => void> = {
      ArrowLeft: () => (pivot.rotation.y -= TURN),
      ArrowRight: () => (pivot.rotation.y += TURN),
      ArrowUp: () => (pivot.rotation.x -= TURN),
      ArrowDown: () => (pivot.rotation.x += TURN),
      '+': () => camera.position.multiplyScalar(0.85),
      '=': () => camera.position.multiplyScalar(0.85),
      '-': () => camera.position.multiplyScalar(1 / 0.85),
    };
    const turn = turns[event.key];
    if (!turn) return;
    event.preventDefault();
    turn();
    render();
  });

  const resize = () => {
    const width = container.clientWidth || 320;
    const height = container.clientHeight || 240;
    renderer.setSize(width, height, false);
    camera.aspect = width / height;
    camera.updateProjectionMatrix();
    render();
  };
  const observer = new ResizeObserver(resize);
  observer.observe(container);
  resize();

  return {
    dispose() {
      observer.disconnect();
      controls.dispose();
      renderer.dispose();
      renderer.forceContextLoss();
    },
  };
}
