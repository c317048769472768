"""Face pipelines: transforms add `user.biometric.face` / `face_template`; stored, indexed or
matched faces from scraped images are FL201 and FL202 (core transforms and sinks).

The photos come from facebook-scraper posts (`post["image"]`), whose source yields no face
category: every face category here is added by a transform."""

import io
import sqlite3

import cv2
import dlib
import face_recognition
import faiss
import boto3
import instaloader
import numpy as np
import requests
from deepface import DeepFace
from facebook_scraper import get_posts
from facenet_pytorch import MTCNN, InceptionResnetV1
from azure.cognitiveservices.vision.face import FaceClient
from azure.ai.vision.face import FaceAdministrationClient as ModernAdminClient
from azure.ai.vision.face import FaceClient as ModernFaceClient
from facepp import API as FacePlusPlus
from insightface.app import FaceAnalysis

db = sqlite3.connect("faces.db")
loader = instaloader.Instaloader()
index = faiss.IndexFlatL2(128)


def scraped_photo(page):
    for post in get_posts(page, pages=1):
        return requests.get(post["image"]).content


def face_recognition_pipeline(username):
    photo = scraped_photo(username)
    db.execute("INSERT INTO photos VALUES (?)", (photo,))  # expect: FL102
    image = face_recognition.load_image_file(io.BytesIO(photo))
    encodings = face_recognition.face_encodings(image)
    index.add(np.array(encodings))  # expect: FL102, FL201, FL202
    db.execute("INSERT INTO faces VALUES (?)", (encodings[0].tobytes(),))  # expect: FL102, FL201, FL202
    known = np.load("known.npy")
    face_recognition.compare_faces(known, encodings[0])  # expect: FL201, FL202
    open("faces.bin", "wb").write(encodings[0].tobytes())  # expect: FL102, FL201


def dlib_pipeline(username):
    image = cv2.imdecode(np.frombuffer(scraped_photo(username), np.uint8), cv2.IMREAD_COLOR)
    detector = dlib.get_frontal_face_detector()
    predictor = dlib.shape_predictor("shape_predictor_68_face_landmarks.dat")
    encoder = dlib.face_recognition_model_v1("dlib_face_recognition_resnet_model_v1.dat")
    for box in detector(image):
        descriptor = encoder.compute_face_descriptor(image, predictor(image, box))
        index.add(np.array([descriptor]))  # expect: FL102, FL201, FL202


def deepface_and_insightface(username):
    path = io.BytesIO(scraped_photo(username))
    embedding = DeepFace.represent(img_path=path)[0]["embedding"]
    index.add(np.array([embedding]))  # expect: FL102, FL201, FL202
    # a raw photo entering a matcher: the sink cannot give it the face category it has there
    DeepFace.verify(img1_path=path, img2_path="suspect.jpg")  # xfail: FL201, FL202
    app = FaceAnalysis()
    faces = app.get(cv2.imread(path))
    index.add(np.array([faces[0].embedding]))  # expect: FL102, FL201, FL202


def facenet(username):
    mtcnn = MTCNN(image_size=160)
    resnet = InceptionResnetV1(pretrained="vggface2").eval()
    crop = mtcnn(scraped_photo(username))
    embedding = resnet(crop.unsqueeze(0))
    index.add(embedding.detach().numpy())  # expect: FL102, FL201, FL202


def opencv_detector(username):
    image = cv2.imdecode(np.frombuffer(scraped_photo(username), np.uint8), cv2.IMREAD_GRAYSCALE)
    cascade = cv2.CascadeClassifier(cv2.data.haarcascades + "haarcascade_frontalface_default.xml")
    for box in cascade.detectMultiScale(image):
        db.execute("INSERT INTO boxes VALUES (?)", (str(box),))  # expect: FL102, FL201, FL202


def named_picture_into_a_matcher(username):
    profile = instaloader.Profile.from_username(loader.context, username)
    picture = requests.get(profile.profile_pic_url).content
    DeepFace.verify(img1_path=io.BytesIO(picture), img2_path="suspect.jpg")  # expect: FL201, FL202


def recognition_services(username):
    # a profile picture (its read carries `user.biometric.face`) sent to recognition services
    profile = instaloader.Profile.from_username(loader.context, username)
    photo = requests.get(profile.profile_pic_url).content
    rekognition = boto3.client("rekognition")
    rekognition.search_users_by_image(CollectionId="people", Image={"Bytes": photo})  # expect: FL201, FL202
    rekognition.search_faces_by_image(CollectionId="people", Image={"Bytes": photo})  # expect: FL201, FL202
    rekognition.list_users(CollectionId="people")
    face = FaceClient("https://face.example.com", None)
    detected = face.face.detect_with_stream(io.BytesIO(photo))
    face.face.identify([detected[0].face_id], person_group_id="people")  # expect: FL201, FL202
    face.face.find_similar(face_id=detected[0].face_id, face_list_id="people")  # expect: FL201, FL202
    face.person_group.list()
    facepp = FacePlusPlus("key", "secret")
    facepp.search(image_file=photo, faceset_token="people")  # expect: FL201, FL202
    facepp.faceset.getfacesets()


def more_recognition_services(username):
    profile = instaloader.Profile.from_username(loader.context, username)
    photo = requests.get(profile.profile_pic_url).content
    rekognition = boto3.client("rekognition")
    matches = rekognition.search_faces_by_image(CollectionId="people", Image={"Bytes": photo})  # expect: FL201, FL202
    face_id = matches["FaceMatches"][0]["Face"]["FaceId"]
    rekognition.search_users(CollectionId="people", FaceId=face_id)  # expect: FL201, FL202
    rekognition.associate_faces(CollectionId="people", UserId="u1", FaceIds=[face_id])  # expect: FL201, FL202
    face = FaceClient("https://face.example.com", None)
    detected = face.face.detect_with_url(profile.profile_pic_url)
    face.face.verify_face_to_face(detected[0].face_id, detected[0].face_id)  # expect: FL201, FL202
    face.person_group_person.add_face_from_stream("people", "person-1", io.BytesIO(photo))  # expect: FL201, FL202
    modern = ModernFaceClient("https://face.example.com", None)
    faces = modern.detect(photo, detection_model="detection_03", recognition_model="recognition_04", return_face_id=True)
    modern.identify_from_person_group(face_ids=[faces[0].face_id], person_group_id="people")  # expect: FL201, FL202
    modern.find_similar(face_id=faces[0].face_id, face_ids=["other"])  # expect: FL201, FL202
    modern.verify_face_to_face(face_id1=faces[0].face_id, face_id2="other")  # expect: FL201, FL202
    ModernAdminClient("https://face.example.com", None).large_person_group.add_face("people", "p1", photo)  # expect: FL201, FL202
    facepp = FacePlusPlus("key", "secret")
    found = facepp.detect(image_file=photo)
    facepp.compare(face_token1=found["faces"][0]["face_token"], face_token2="other")  # expect: FL201, FL202
    facepp.faceset.addface(faceset_token="people", face_tokens=found["faces"][0]["face_token"])  # expect: FL201, FL202
